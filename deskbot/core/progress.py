"""Progress of long work: a bar with rate and ETA on a terminal, log lines elsewhere.

    progress = terminal_progress("pages", "chunks")  # a bar on a tty, else a line every 5 s
    progress.start(total, "confluence:ENG")          # total may be None (unknown)
    progress.advance(1, chunks=12)                   # one page done, 12 more chunks beside it
    progress.close()                        # the last line (log) or the finished bar

`Progress` itself shows nothing (the default where nobody watches). The one line format,
`confluence:ENG 12/40 pages, 310 chunks (3.1 pages/s, 80.2 chunks/s, ETA 9 s)`, is also
what `/reindex` in Slack and Teams and the CLI's `ingest` through a running bot show: they
hand `LogProgress` an `emit` of their own. Used by ingest (pages), the simulator
(questions) and the tone toolkit (conversations).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any, TypeVar

log = logging.getLogger("deskbot.progress")

T = TypeVar("T")


class Progress:
    """Counts done units (and side counts, e.g. chunks beside pages) against an optional
    total; shows nothing. Side counts named in `sides` show from the start, at 0."""

    def __init__(self, unit: str = "items", *sides: str) -> None:
        self.unit = unit
        self.done = 0
        self.counts: dict[str, int] = dict.fromkeys(sides, 0)
        self.total: int | None = None
        self.label = ""
        self.started = time.monotonic()

    def start(self, total: int | None, label: str = "") -> None:
        self.total, self.label = total, label
        self.started = time.monotonic()

    def advance(self, n: int = 1, **counts: int) -> None:
        self.done += n
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        self.show()

    def show(self) -> None:  # noqa: B027 - silent by default
        pass

    def close(self) -> None:  # noqa: B027
        pass

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        total = f"/{self.total}" if self.total else ""
        sides = "".join(f", {value} {name}" for name, value in self.counts.items())
        side_rates = "".join(f", {v / elapsed:.1f} {name}/s" for name, v in self.counts.items())
        eta = ""
        if self.total and rate > 0:
            eta = f", ETA {max(self.total - self.done, 0) / rate:.0f} s"
        return (
            f"{self.label} {self.done}{total} {self.unit}{sides} "
            f"({rate:.1f} {self.unit}/s{side_rates}{eta})"
        ).strip()


class LogProgress(Progress):
    """A line at most every `every` seconds, and one at the end (CI logs, systemd, chat)."""

    def __init__(
        self,
        unit: str = "items",
        *sides: str,
        every: float = 5.0,
        emit: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(unit, *sides)
        self.every = every
        self.emit = emit or log.info
        self.last = 0.0

    def show(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.emit(self.line())

    def close(self) -> None:
        self.emit(self.line())


class BarProgress(Progress):
    """A tqdm bar on stderr: the unit counted, side counts after it, rate and ETA from tqdm."""

    bar: Any = None

    def start(self, total: int | None, label: str = "") -> None:
        super().start(total, label)
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit=f" {self.unit}", desc=label, dynamic_ncols=True)

    def advance(self, n: int = 1, **counts: int) -> None:
        super().advance(n, **counts)
        if self.bar is not None:
            self.bar.update(n)
            if self.counts:
                self.bar.set_postfix(self.counts, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def terminal_progress(unit: str = "items", *sides: str, every: float = 5.0) -> Progress:
    """A bar when stderr is a terminal, else log lines every `every` seconds."""
    if sys.stderr.isatty():
        return BarProgress(unit, *sides)
    return LogProgress(unit, *sides, every=every)


def tracked(items: Iterable[T], progress: Progress, label: str = "") -> Iterator[T]:
    """`items`, advancing `progress` by one for each (closed at the end)."""
    total = len(items) if isinstance(items, Sized) else None
    progress.start(total, label)
    try:
        for item in items:
            yield item
            progress.advance(1)
    finally:
        progress.close()
