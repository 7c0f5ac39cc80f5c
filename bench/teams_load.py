"""The Teams transport under load: 50 concurrent signed activities over HTTP.

    python -m bench.teams_load [--activities 50]

Runs the Teams transport in a child process around `deskbot serve`'s runtime
(embedded Edge index of examples/wiki, the embedding model, the SQLite store, the
real Answerer, the shared answer pool; `deskbot serve` itself once it starts Teams)
against fakes served from this process: Bot Framework login (signs the
activities), Entra (tokens), Bot Connector (records replies) and a zero-latency
OpenAI model. Half the activities are personal-chat questions (streamed), half
channel @mentions. Then every activity is delivered again, as Teams does when it
thinks a bot missed it. Reports: ack latency p50/p95/max (target p95 < 200 ms,
all < 15 s), first visible sign p95 (target < 1 s), whether every activity was
answered exactly once, answer latency, and the child's RSS at rest and at peak.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from bench.slack_load import QUESTIONS, _free_port, _rss_mb
from tests.bot.teams.teamsreq import APP_ID, SECRET, TENANT, Activities
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.teams_connector import FakeConnector
from tests.fakes.teams_login import FakeBotFrameworkLogin, FakeEntra

ROOT = Path(__file__).resolve().parent.parent
WIKI = ROOT / "examples" / "wiki"
TEAMS_15S = 15_000  # ms: Teams redelivers an activity not acknowledged by then


def _model(body: dict) -> str:
    if "standalone search query" in body["messages"][0]["content"]:
        return body["messages"][-1]["content"].rsplit("Last message:", 1)[-1].strip()
    return "Follow the steps on the wiki page [1]. Ask #it-help if they do not work [1]."


def serve(port: int) -> None:
    """The child: the Teams transport around `deskbot serve`'s runtime, until SIGTERM."""
    from bot.serve.runtime import open_runtime
    from bot.teams.connector import ServiceUrlPolicy
    from bot.teams.transport import TeamsTransport
    from deskbot.core.config import Settings
    from deskbot.core.logs import setup_logging

    settings = Settings.from_env()
    setup_logging(settings.log_level, settings.secrets())
    runtime = open_runtime(settings)  # one index, model, store, Answerer, pool, ReindexRunner
    transport = TeamsTransport(
        settings,
        answerer=runtime.answerer,
        store=runtime.store,
        reindex=runtime.reindexer,
        jobs=runtime.jobs,
        host="127.0.0.1",
        port=port,
        service_urls=ServiceUrlPolicy(["127.0.0.1"], schemes=("http",)),  # the fake connector
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    transport.start()
    stop.wait()
    transport.stop(5)
    runtime.jobs.drain(10)
    transport.close(1)
    runtime.close()


def _env(workdir: Path, login, entra, model) -> dict:
    return {
        **os.environ,
        "DESKBOT_DATA_DIR": str(workdir),
        "QDRANT_PATH": str(workdir / "qdrant"),
        "DESKBOT_DB": str(workdir / "deskbot.sqlite3"),
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": SECRET,
        "TEAMS_TENANT_ID": TENANT,
        "TEAMS_LOGIN_URL": entra.url,
        "TEAMS_OPENID_METADATA_URL": login.metadata_url,
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_API_KEY": "sk-bench-not-a-real-key",
        "LOG_LEVEL": "WARNING",
    }


def _start(env: dict, workdir: Path, port: int) -> tuple[subprocess.Popen, float]:
    deskbot = [sys.executable, "-c", "from deskbot.cli import main; main()"]
    subprocess.run([*deskbot, "ingest", str(WIKI)], env=env, cwd=workdir, check=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.teams_load", "--serve", str(port)], env=env, cwd=ROOT
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return child, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.2)
        if child.poll() is not None:
            raise SystemExit(f"the Teams transport exited with {child.returncode}")
    child.terminate()
    raise SystemExit("the Teams transport did not answer /healthz within 180 s")


def _activities(made: Activities, count: int) -> list[dict]:
    """Half personal chats (one user each: Teams streams one answer per chat), half channels."""
    out = []
    for n in range(count):
        question = QUESTIONS[n % len(QUESTIONS)]
        if n % 2:
            out.append(made.channel(question))
        else:
            out.append(made.personal(question, user=f"aaaaaaaa-0000-4000-8000-{n:012d}"))
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
        FakeConnector() as connector,
        FakeOpenAIChat(default=_model) as model,
    ):
        workdir, port = Path(tmp), _free_port()
        child, startup = _start(_env(workdir, login, entra, model), workdir, port)
        made = Activities(connector.service_url)
        limits = httpx.Limits(max_connections=count)
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits)
        try:
            warm = _fire(http, login, [made.personal(QUESTIONS[0]), made.channel(QUESTIONS[1])])
            _wait_answers(connector, [c for c, *_ in warm])  # loads the model, warms the caches
            time.sleep(1.5)
            rest = _rss_mb(child.pid)
            activities = _activities(made, count)
            results = _fire(http, login, activities)
            done = _wait_answers(connector, [c for c, *_ in results])
            again = _fire(http, login, activities)  # Teams redelivers
            time.sleep(3.0)
            peak = _rss_mb(child.pid, "VmHWM")
        finally:
            http.close()
            child.send_signal(signal.SIGTERM)
            child.wait(30)
        return _figures(connector, results, again, done, rest, peak, startup)


def _percentiles(values: np.ndarray) -> dict:
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
        "max": round(float(values.max()), 1),
    }


def _figures(connector, results, again, done, rest, peak, startup) -> dict:
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
        "rss_at_rest_mb": round(rest, 1),
        "rss_peak_mb": round(peak, 1),
        "startup_s": round(startup, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    figures = run(args.activities)
    ack, sign = figures["ack_ms"], figures["first_sign_ms"]
    print(f"{figures['activities']} concurrent Teams activities, each delivered twice")
    print(f"  startup        {figures['startup_s']} s (index, model, SDK)")
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
    print(
        f"  RSS            {figures['rss_at_rest_mb']} MB at rest, {figures['rss_peak_mb']} MB peak"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
