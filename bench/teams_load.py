"""Teams under load in the real `deskbot serve`, then Slack and Teams at once in that process.

    python -m bench.teams_load [--activities 50]

Runs `deskbot serve` in a child process, exactly as a user starts it, with both
transports configured: Slack in Socket Mode and Teams on its own port (embedded Edge
index of examples/wiki, the embedding model, the SQLite store, one Answerer, one
answer pool). The fakes are served from this process: Bot Framework login (signs the
activities), Entra (tokens), an https Bot Connector (records replies; the child
trusts its certificate through SSL_CERT_FILE), the Slack Web API and Socket Mode,
and a zero-latency OpenAI model.

First Teams alone: half the activities are personal-chat questions (streamed), half
channel @mentions; then every activity is delivered again, as Teams does when it
thinks a bot missed it. Reports ack latency p50/p95/max (target p95 < 200 ms, all
< 15 s), first visible sign p95 (target < 1 s), whether every activity was answered
exactly once, answer latency. Then Slack and Teams together: as many Teams activities
and Slack @mentions (Socket Mode envelopes) sent at the same moment. Reports both
acks, whether everything was answered once, and the RSS of the one process serving
both: at rest (after a warm-up on each platform) and at peak.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from bench import slack_socket
from bench.serving import DESKBOT, start_serve
from bench.slack_load import _free_port, _model, _rss_mb
from bench.slack_load import _wait_answers as _wait_slack_answers
from bench.wiki_questions import QUESTIONS
from tests.bot.serve.botproc import teams_env
from tests.bot.teams.teamsreq import APP_ID, SECRET, Activities
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode
from tests.fakes.teams_connector import FakeConnector
from tests.fakes.teams_login import FakeBotFrameworkLogin, FakeEntra

ROOT = Path(__file__).resolve().parent.parent
WIKI = ROOT / "examples" / "wiki"
TEAMS_15S = 15_000  # ms: Teams redelivers an activity not acknowledged by then


def _env(workdir: Path, port: int, slack, model, login, entra, connector) -> dict:
    """What a user sets for Slack (Socket Mode) and Teams, pointed at the fakes."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    return {
        **environ,
        "DESKBOT_DATA_DIR": str(workdir),
        "QDRANT_PATH": str(workdir / "qdrant"),
        "DESKBOT_DB": str(workdir / "deskbot.sqlite3"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        **teams_env(login, entra, connector, port),
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_API_KEY": "sk-bench-not-a-real-key",
        "LOG_LEVEL": "WARNING",
    }


def _start(env: dict, workdir: Path, port: int) -> tuple[subprocess.Popen, float]:
    """`deskbot serve`; ready when Teams' /healthz (index, Slack and Teams) answers 200."""
    subprocess.run([*DESKBOT, "ingest", str(WIKI)], env=env, cwd=workdir, check=True)
    return start_serve([], env, workdir, f"http://127.0.0.1:{port}/healthz")


def _activities(made: Activities, count: int, first_user: int = 0) -> list[dict]:
    """Half personal chats (one user each: Teams streams one answer per chat), half channels."""
    out = []
    for n in range(count):
        question = QUESTIONS[n % len(QUESTIONS)]
        if n % 2:
            out.append(made.channel(question))
        else:
            user = f"aaaaaaaa-0000-4000-8000-{first_user + n:012d}"
            out.append(made.personal(question, user=user))
    return out


def _fire(http: httpx.Client, login, activities: list[dict]) -> list[tuple[str, float, float, int]]:
    """All at once from as many threads; (conversation, sent_at, ack_s, status) each."""
    tokens = [login.token(APP_ID, a["serviceUrl"]) for a in activities]
    gate = threading.Barrier(len(activities))

    def send(pair):
        activity, token = pair
        gate.wait()
        sent = time.perf_counter()
        response = http.post(
            "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
        )
        return (
            activity["conversation"]["id"],
            sent,
            time.perf_counter() - sent,
            response.status_code,
        )

    with ThreadPoolExecutor(len(activities)) as pool:
        return list(pool.map(send, zip(activities, tokens, strict=True)))


def _wait_answers(connector: FakeConnector, conversations: list[str], timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = {c: m[0].at for c in conversations if (m := connector.messages(c))}
        if len(done) == len(conversations):
            return done
        time.sleep(0.05)
    raise SystemExit(f"only {len(done)} of {len(conversations)} answers arrived in {timeout} s")


def run(count: int) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeBotFrameworkLogin() as login,
        FakeEntra(APP_ID, SECRET) as entra,
        FakeConnector(tls=True) as connector,
        FakeOpenAIChat(default=_model) as model,
        FakeSocketMode() as socket,
        FakeSlack(socket=socket) as slack,
    ):
        workdir, port = Path(tmp), _free_port()
        env = _env(workdir, port, slack, model, login, entra, connector)
        child, startup = _start(env, workdir, port)
        made = Activities(connector.service_url)
        limits = httpx.Limits(max_connections=count)
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits)
        try:
            warm = _fire(http, login, [made.personal(QUESTIONS[0]), made.channel(QUESTIONS[1])])
            _wait_answers(connector, [c for c, *_ in warm])  # loads the model, warms the caches
            warm_slack = slack_socket.fire(socket, slack, QUESTIONS[:1])
            _wait_slack_answers(slack, [ts for ts, *_ in warm_slack])
            time.sleep(1.5)
            rest = _rss_mb(child.pid)
            activities = _activities(made, count, first_user=1000)
            results = _fire(http, login, activities)
            done = _wait_answers(connector, [c for c, *_ in results])
            again = _fire(http, login, activities)  # Teams redelivers
            time.sleep(3.0)
            teams = _figures(connector, results, again, done, startup)
            together = _together(http, login, made, socket, slack, connector, count)
            time.sleep(1.0)
            peak = _rss_mb(child.pid, "VmHWM")
        finally:
            http.close()
            child.send_signal(signal.SIGTERM)
            exit_code = child.wait(60)
        rss = {"rss_at_rest_mb": round(rest, 1), "rss_peak_mb": round(peak, 1)}
        return teams | {"together": together | rss, "exit_code": exit_code}


def _together(http, login, made, socket, slack, connector, count: int) -> dict:
    """`count` Teams activities and `count` Slack mentions sent at the same moment."""
    activities = _activities(made, count, first_user=2000)
    questions = [QUESTIONS[n % len(QUESTIONS)] for n in range(count)]
    with ThreadPoolExecutor(2) as pool:
        on_teams = pool.submit(_fire, http, login, activities)
        on_slack = pool.submit(slack_socket.fire, socket, slack, questions)
        teams, slack_sent = on_teams.result(), on_slack.result()
    conversations = [c for c, *_ in teams]
    _wait_answers(connector, conversations)
    _wait_slack_answers(slack, [ts for ts, *_ in slack_sent])
    time.sleep(2.0)  # anything answered twice would have arrived by now
    slack_replies = [len(slack.bot_replies(slack_socket.CHANNEL, ts)) for ts, *_ in slack_sent]
    teams_acks = np.array([ack for _, _, ack, _ in teams]) * 1000
    slack_acks = np.array([ack for _, _, ack in slack_sent]) * 1000
    return {
        "teams_activities": len(teams),
        "slack_mentions": len(slack_sent),
        "teams_ack_ms": _percentiles(teams_acks),
        "slack_ack_ms": _percentiles(slack_acks),
        "teams_answered_once": all(len(connector.messages(c)) == 1 for c in conversations),
        "slack_answered_once": all(n == 1 for n in slack_replies),
    }


def _percentiles(values: np.ndarray) -> dict:
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
        "max": round(float(values.max()), 1),
    }


def _figures(connector, results, again, done, startup) -> dict:
    acks = np.array([ack for _, _, ack, _ in results + again]) * 1000
    first_acks = np.array([ack for _, _, ack, _ in results]) * 1000
    redelivery_acks = np.array([ack for _, _, ack, _ in again]) * 1000
    sent = {conversation: at for conversation, at, _, _ in results}
    first = {c: min(p.at for p in connector.activities(c)) for c in sent}
    first_sign = np.array([first[c] - sent[c] for c in sent]) * 1000
    latency = np.array([done[c] - sent[c] for c in sent])
    answers = [len(connector.messages(c)) for c in sent]
    return {
        "activities": len(results),
        "statuses": sorted({s for *_, s in results + again}),
        "ack_ms": {**_percentiles(acks), "over_15s": int((acks > TEAMS_15S).sum())},
        "ack_first_delivery_ms": _percentiles(first_acks),
        "ack_redelivery_ms": _percentiles(redelivery_acks),
        "first_sign_ms": _percentiles(first_sign),
        "answer_s": {
            "p50": round(float(np.percentile(latency, 50)), 2),
            "p95": round(float(np.percentile(latency, 95)), 2),
        },
        "answered_exactly_once": all(n == 1 for n in answers),
        "answers_per_activity": sorted(set(answers)),
        "startup_s": round(startup, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=50)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    figures = run(args.activities)
    ack, sign = figures["ack_ms"], figures["first_sign_ms"]
    print(f"machine load (1-min average) at start: {load:.1f}, at end: {os.getloadavg()[0]:.1f}")
    print(f"one deskbot serve: Slack (Socket Mode) and Teams, startup {figures['startup_s']} s")
    print(f"{figures['activities']} concurrent Teams activities, each delivered twice")
    print(
        f"  ack            p50 {ack['p50']} ms  p95 {ack['p95']} ms  max {ack['max']} ms"
        f"  (>15 s: {ack['over_15s']})  statuses {figures['statuses']}"
    )
    first, again = figures["ack_first_delivery_ms"], figures["ack_redelivery_ms"]
    print(f"    first delivery p95 {first['p95']} ms, redelivery (dropped) p95 {again['p95']} ms")
    print(f"  first sign     p50 {sign['p50']} ms  p95 {sign['p95']} ms  max {sign['max']} ms")
    print(
        f"  answer         p50 {figures['answer_s']['p50']} s  p95 {figures['answer_s']['p95']} s"
    )
    print(f"  exactly once   {figures['answered_exactly_once']}")
    both = figures["together"]
    print(
        f"{both['teams_activities']} Teams activities and {both['slack_mentions']} Slack mentions"
        " at the same moment"
    )
    print(
        f"  ack            Teams p95 {both['teams_ack_ms']['p95']} ms,"
        f" Slack p95 {both['slack_ack_ms']['p95']} ms"
    )
    print(
        f"  exactly once   Teams {both['teams_answered_once']}, Slack {both['slack_answered_once']}"
    )
    print(
        f"  RSS            {both['rss_at_rest_mb']} MB at rest, {both['rss_peak_mb']} MB peak"
        " (one process serving Slack and Teams)"
    )
    print(f"  SIGTERM        exit {figures['exit_code']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
