"""Signals and the grace period: stop taking new messages, let answers in flight finish.

On SIGTERM or SIGINT `deskbot serve` stops every transport from taking new messages,
waits up to SHUTDOWN_GRACE_SECONDS for the answers (and a reindex) already accepted and
for each transport to send what it still holds (Teams sends on its own loop once an
answer's job is done), and exits 0 with one log line. A second signal exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.serve.transport import Transport

log = logging.getLogger("bot.serve")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Shutdown:
    """Remembers the first stop signal; a transport's fatal failure also ends the wait."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.reason = ""

    def install(self) -> Shutdown:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._on_signal)
        return self

    def _on_signal(self, signum: int, frame) -> None:
        name = signal.Signals(signum).name
        if self.requested.is_set():
            log.warning("%s again: exiting now", name)
            _flush()
            os._exit(128 + signum)
        self.reason = name
        self.requested.set()

    def wait(self, transports: Sequence[Transport], poll: float = 0.2) -> Exception | None:
        """Block until a stop signal (None) or a transport's fatal failure (returned)."""
        while not self.requested.wait(poll):
            for transport in transports:
                failure = transport.failure()
                if failure is not None:
                    self.reason = f"{transport.name} failed"
                    return failure
        return None


@dataclass(frozen=True)
class Drained:
    finished: int  # answers that completed during the grace period
    abandoned: int  # answers still running when it ran out
    reindex_running: bool
    undelivered: dict[str, int] = field(default_factory=dict)  # transport -> replies not sent


def drain(
    runtime, transports: Sequence[Transport], grace: float, in_flight_at_signal: int
) -> Drained:
    """Wait up to `grace` seconds in all for the answers, the reindex and the transports."""
    deadline = time.monotonic() + grace
    abandoned = runtime.jobs.drain(grace)
    idle = runtime.reindexer.wait_idle(_left(deadline))
    undelivered = {}
    for transport in transports:
        if left := transport.drain(_left(deadline)):
            undelivered[transport.name] = left
    return Drained(max(in_flight_at_signal - abandoned, 0), abandoned, not idle, undelivered)


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.0)


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
