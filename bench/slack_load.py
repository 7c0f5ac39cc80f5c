"""The Slack bot under load: 50 concurrent @mentions over HTTP and over Socket Mode.

    python -m bench.slack_load [--mentions 50] [--mode http|socket|both]
                               [--backends onnx torch] [--chunks 10000]

Runs the real `deskbot serve` in a child process (the real CLI wiring: embedded Edge
index of examples/wiki, the embedding model, the SQLite store, the real Answerer)
against a fake Slack and a zero-latency fake OpenAI model served from this process.
HTTP mode: signed POSTs. Socket Mode (bench/slack_socket.py): envelopes on the Socket
Mode fake, on a settled connection and again right after a forced refresh.
Reports: ack latency p50/p95/max (Slack wants < 3 s), time to the first visible sign
(the :eyes: reaction) p95 (goal < 1 s), answers completed per second, and the bot's
RSS at rest with the model and index loaded (goal < 300 MB on ONNX Runtime, the default
embedding backend; ~600 MB on torch), its peak RSS and its RSS idle after the load.

`--backends onnx torch` runs everything once per embedding backend (EMBEDDING_BACKEND),
side by side. `--chunks N` pads the index to N chunks: the sample wiki's own, then copies
of them with slightly jittered vectors under a `files:/filler` source (enough to size the
engine like a real wiki; an answer may cite a filler copy).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import httpx
import numpy as np

from bench import slack_socket
from bench.serving import start_serve
from bench.wiki_questions import QUESTIONS
from tests.bot.slack.slackreq import SIGNING_SECRET, SlackSender, message_event
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import BOT_TOKEN, BOT_USER, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode

ROOT = Path(__file__).resolve().parent.parent
WIKI = ROOT / "examples" / "wiki"
CHANNEL = "C0LOAD001"


def _model(body: dict) -> str:
    """Zero-latency model: a cited answer, or the follow-up rewrite."""
    if "standalone search query" in body["messages"][0]["content"]:
        return body["messages"][-1]["content"].rsplit("Last message:", 1)[-1].strip()
    return "Follow the steps on the wiki page [1]. Ask #it-help if they do not work [1]."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _settled_rss(pid: int) -> float:
    """RSS once the answers are sent and the bot is idle again (MB)."""
    time.sleep(1.0)
    return round(_rss_mb(pid), 1)


def _env(workdir: Path, slack: FakeSlack, model: FakeOpenAIChat) -> dict:
    return {
        **os.environ,
        "DESKBOT_DATA_DIR": str(workdir),
        "QDRANT_PATH": str(workdir / "qdrant"),
        "DESKBOT_DB": str(workdir / "deskbot.sqlite3"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_API_KEY": "sk-bench-not-a-real-key",
        "LOG_LEVEL": "WARNING",
    }


def _build_index(env: dict, chunks: int) -> int:
    """The sample wiki, padded with jittered copies to `chunks` chunks (in this process).

    Runs on the default backend, so the ONNX export is prepared before any bot starts.
    """
    import uuid

    from bot.wiring import build_embedder, build_index
    from deskbot.core.config import Settings
    from ingest.index import PointData
    from ingest.sources.files import FilesSource
    from ingest.sparse import BM25Encoder
    from ingest.sync import Syncer

    settings = Settings.from_env({k: v for k, v in env.items() if k != "EMBEDDING_BACKEND"})
    embedder = build_embedder(settings)
    with build_index(settings) as index:
        wiki = FilesSource(WIKI)
        Syncer(index, embedder).run(wiki)
        texts = [p["text"] for _, p in index.scroll([wiki.spec], ("text",))]
        have = index.count()
        dense = embedder.encode_documents(texts) if chunks > have else None
        sparse = [BM25Encoder().encode_document(t) for t in texts] if chunks > have else []
        rng = np.random.default_rng(7)
        for start in range(0, max(0, chunks - have), 1000):
            batch = []
            for n in range(start, min(chunks - have, start + 1000)):
                i = n % len(texts)
                vector = dense[i] + rng.normal(scale=0.02, size=dense[i].shape)
                payload = {"source": "files:/filler", "doc_id": f"filler/{n}", "text": texts[i]}
                point_id = str(uuid.UUID(int=n + 1))
                batch.append(
                    PointData(point_id, vector / np.linalg.norm(vector), sparse[i], payload)
                )
            index.upsert(batch)
        return index.count()


def _start_bot(
    env: dict, workdir: Path, port: int, output: IO[bytes] | None = None
) -> tuple[subprocess.Popen, float]:
    """`deskbot serve --http` (its log to `output`, else this terminal), once /healthz is 200."""
    args = ["--http", "--port", str(port)]
    return start_serve(args, env, workdir, f"http://127.0.0.1:{port}/healthz", output)


def _answered(slack: FakeSlack, ts: str) -> float | None:
    done = [m.done_at for m in slack.bot_replies(CHANNEL, ts) if m.done_at]
    return min(done) if done else None


def _wait_answers(slack: FakeSlack, stamps: list[str], timeout: float = 300) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = {ts: at for ts in stamps if (at := _answered(slack, ts))}
        if len(done) == len(stamps):
            return done
        time.sleep(0.05)
    raise SystemExit(f"only {len(done)} of {len(stamps)} answers arrived in {timeout} s")


def _fire(sender: SlackSender, slack: FakeSlack, count: int):
    """`count` mentions sent at once from `count` threads; returns (ts, sent_at, ack_s) each."""
    messages = [
        slack.user_message(CHANNEL, f"<@{BOT_USER}> {QUESTIONS[n % len(QUESTIONS)]}")
        for n in range(count)
    ]
    bodies = [message_event(m, "app_mention") for m in messages]
    gate = threading.Barrier(count)

    def send(event: dict):
        gate.wait()
        sent = time.perf_counter()
        response = sender.event(event)
        assert response.status_code == 200, response.status_code
        return event["ts"], sent, time.perf_counter() - sent

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, bodies))


def run_socket(count: int, backend: str = "onnx", chunks: int = 0) -> dict:
    """Socket Mode: `count` envelopes on a settled link, then `count` right after a refresh."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSocketMode() as socket,
        FakeSlack(socket=socket) as slack,
        FakeOpenAIChat(default=_model) as model,
    ):
        workdir = Path(tmp)
        env = {**_env(workdir, slack, model), "EMBEDDING_BACKEND": backend}
        indexed = _build_index(env, chunks)
        bot, startup = slack_socket.start_socket_bot(env, workdir, _free_port())
        try:
            questions = [QUESTIONS[n % len(QUESTIONS)] for n in range(count)]
            warm = slack_socket.fire(socket, slack, questions[:1])
            _wait_answers(slack, [warm[0][0]])
            time.sleep(1.0)
            rest = _rss_mb(bot.pid)
            settled = slack_socket.fire(socket, slack, questions)
            done = _wait_answers(slack, [ts for ts, _, _ in settled])
            figures = _figures(slack, settled, done, rest, _rss_mb(bot.pid, "VmHWM"), startup)
            figures["rss_after_answers_mb"] = _settled_rss(bot.pid)
            new_link = slack_socket.refresh(socket)
            refreshed = slack_socket.fire(socket, slack, questions, link=new_link)
            done = _wait_answers(slack, [ts for ts, _, _ in refreshed])
            after = _figures(slack, refreshed, done, rest, _rss_mb(bot.pid, "VmHWM"), startup)
        finally:
            bot.terminate()
            bot.wait(30)
        return figures | {"after_refresh": after, "backend": backend, "chunks": indexed}


def run(count: int, backend: str = "onnx", chunks: int = 0) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeOpenAIChat(default=_model) as model,
    ):
        workdir, port = Path(tmp), _free_port()
        env = {**_env(workdir, slack, model), "EMBEDDING_BACKEND": backend}
        indexed = _build_index(env, chunks)
        bot, startup = _start_bot(env, workdir, port)
        sender = SlackSender(f"http://127.0.0.1:{port}")
        sender.http = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            limits=httpx.Limits(max_connections=count),
        )
        try:
            warm = _fire(sender, slack, 1)  # loads the model and warms the caches
            _wait_answers(slack, [warm[0][0]])
            time.sleep(1.0)
            rest = _rss_mb(bot.pid)
            results = _fire(sender, slack, count)
            done = _wait_answers(slack, [ts for ts, _, _ in results])
            peak = _rss_mb(bot.pid, "VmHWM")
            after = _settled_rss(bot.pid)
        finally:
            sender.close()
            bot.terminate()
            bot.wait(10)
        return _figures(slack, results, done, rest, peak, startup) | {
            "rss_after_answers_mb": after,
            "backend": backend,
            "chunks": indexed,
        }


def _figures(slack, results, done, rest, peak, startup) -> dict:
    acks = np.array([ack for _, _, ack in results]) * 1000
    sent = {ts: at for ts, at, _ in results}
    reactions = {c.args["timestamp"]: c.at for c in slack.calls_to("reactions.add")}
    first_sign = np.array([reactions[ts] - sent[ts] for ts in sent]) * 1000
    latency = np.array([done[ts] - sent[ts] for ts in sent])
    span = max(done.values()) - min(sent.values())
    return {
        "mentions": len(results),
        "ack_ms": {
            "p50": round(float(np.percentile(acks, 50)), 1),
            "p95": round(float(np.percentile(acks, 95)), 1),
            "max": round(float(acks.max()), 1),
            "over_3s": int((acks > 3000).sum()),
        },
        "first_sign_ms": {
            "p50": round(float(np.percentile(first_sign, 50)), 1),
            "p95": round(float(np.percentile(first_sign, 95)), 1),
            "max": round(float(first_sign.max()), 1),
        },
        "answer_s": {
            "p50": round(float(np.percentile(latency, 50)), 2),
            "p95": round(float(np.percentile(latency, 95)), 2),
        },
        "answers_per_s": round(len(results) / span, 2),
        "rss_at_rest_mb": round(rest, 1),
        "rss_peak_mb": round(peak, 1),
        "startup_s": round(startup, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=50)
    parser.add_argument("--mode", choices=("http", "socket", "both"), default="both")
    parser.add_argument("--backends", nargs="+", default=["onnx"], choices=["onnx", "torch"])
    parser.add_argument("--chunks", type=int, default=0, help="Pad the index to this many chunks.")
    args = parser.parse_args()
    for backend in args.backends:
        print(f"machine load (1-min average) at start: {os.getloadavg()[0]:.1f}")
        on = f"embeddings on {backend}"
        if args.mode in ("http", "both"):
            figures = run(args.mentions, backend, args.chunks)
            _print(f"over HTTP, {on}, {figures['chunks']} chunks", figures)
        if args.mode in ("socket", "both"):
            figures = run_socket(args.mentions, backend, args.chunks)
            where = f"over Socket Mode, {on}, {figures['chunks']} chunks"
            _print(f"{where}, settled connection", figures)
            _print(f"{where}, right after a forced refresh", figures["after_refresh"])


def _print(where: str, figures: dict) -> None:
    ack = figures["ack_ms"]
    print(
        f"{figures['mentions']} concurrent mentions {where} (bot startup {figures['startup_s']} s)"
    )
    print(
        f"  ack            p50 {ack['p50']} ms  p95 {ack['p95']} ms  max {ack['max']} ms  (>3 s: {ack['over_3s']})"
    )
    sign = figures["first_sign_ms"]
    print(
        f"  first sign     p50 {sign['p50']} ms  p95 {sign['p95']} ms  max {sign['max']} ms (:eyes:)"
    )
    print(
        f"  answer         p50 {figures['answer_s']['p50']} s  p95 {figures['answer_s']['p95']} s"
    )
    print(f"  throughput     {figures['answers_per_s']} answers/s (zero-latency model)")
    print(
        f"  bot RSS        {figures['rss_at_rest_mb']} MB at rest, {figures['rss_peak_mb']} MB peak"
        + (
            f", {after} MB idle after them"
            if (after := figures.get("rss_after_answers_mb"))
            else ""
        )
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
