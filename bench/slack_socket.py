"""Socket Mode half of the Slack load benchmark (bench/slack_load.py prints both).

The real `deskbot serve` (Socket Mode) in a child process, against the Socket Mode fake
and the fake Web API: `count` app_mention envelopes sent at once on a settled
connection, then `count` more sent the moment the replacement connection opens after
a forced refresh (`disconnect`, reason refresh_requested). Ack latency is the time
from sending an envelope to its ack arriving on the socket.
"""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.serving import start_serve
from tests.bot.slack.slackreq import envelope, message_event
from tests.fakes.slack import APP_TOKEN, BOT_USER, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode, Link

CHANNEL = "C0LOAD001"


def start_socket_bot(env: dict, workdir: Path, health_port: int) -> tuple[subprocess.Popen, float]:
    """`deskbot serve` in Socket Mode; ready when /healthz (HEALTH_PORT) answers 200."""
    env = {**env, "SLACK_APP_TOKEN": APP_TOKEN, "HEALTH_PORT": str(health_port)}
    return start_serve([], env, workdir, f"http://127.0.0.1:{health_port}/healthz")


def fire(
    socket: FakeSocketMode, slack: FakeSlack, questions: list[str], link: Link | None = None
) -> list[tuple[str, float, float]]:
    """Send one mention envelope per question at once; (ts, sent_at, ack_s) each."""
    messages = [slack.user_message(CHANNEL, f"<@{BOT_USER}> {q}") for q in questions]
    payloads = [envelope(message_event(m, "app_mention")) for m in messages]
    gate = threading.Barrier(len(payloads))

    def send(payload: dict) -> tuple[str, float, str]:
        gate.wait()
        sent = time.perf_counter()
        return payload["event"]["ts"], sent, socket.envelope("events_api", payload, link=link)

    with ThreadPoolExecutor(len(payloads)) as pool:
        sent = list(pool.map(send, payloads))
    return [(ts, at, socket.wait_ack(eid, 30).at - at) for ts, at, eid in sent]


def refresh(socket: FakeSocketMode) -> Link:
    """Force a refresh; returns the replacement link the moment it opens."""
    old = socket.open_links()[-1]
    socket.disconnect("refresh_requested", old)
    return socket.wait_links(len(socket.links) + 1, timeout=30)[-1]
