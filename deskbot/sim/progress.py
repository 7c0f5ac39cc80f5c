"""Progress of a simulation: a tqdm bar on a terminal, a log line every few seconds otherwise."""

from __future__ import annotations

import logging
import sys
import time

log = logging.getLogger("deskbot.simulate")


class LogProgress:
    """`simulate: 12/48 questions (3.1/s, ETA 12 s)` at most every `every` seconds, and at the end."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.total = 0
        self.done = 0
        self.label = "simulate"
        self.started = self.last = time.monotonic()

    def start(self, total: int, label: str = "simulate") -> None:
        self.total, self.label, self.done = total, label, 0
        self.started = self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            log.info("%s", self.line())

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = f", ETA {(self.total - self.done) / rate:.0f} s" if rate and self.total else ""
        return f"{self.label}: {self.done}/{self.total} questions ({rate:.1f}/s{eta})"

    def close(self) -> None:
        if self.total:
            log.info("%s", self.line())


class BarProgress:
    """A tqdm bar counting questions."""

    def start(self, total: int, label: str = "simulate") -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="question", desc=label, dynamic_ncols=True)

    def advance(self, n: int = 1) -> None:
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


def terminal_progress() -> BarProgress | LogProgress:
    return BarProgress() if sys.stderr.isatty() else LogProgress()
