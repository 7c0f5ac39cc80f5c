"""Progress for long work: a bar on a terminal, plain log lines elsewhere, or a callback."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

log = logging.getLogger("deskbot.progress")


class Progress:
    """Counts pages and chunks; subclasses decide how to show them."""

    def __init__(self) -> None:
        self.pages = 0
        self.chunks = 0
        self.total: int | None = None
        self.started = time.monotonic()

    def start(self, total: int | None, label: str = "") -> None:
        self.total, self.label = total, label
        self.started = time.monotonic()

    def advance(self, pages: int = 0, chunks: int = 0) -> None:
        self.pages += pages
        self.chunks += chunks
        self.show()

    def show(self) -> None:  # noqa: B027 - silent by default
        pass

    def close(self) -> None:  # noqa: B027
        pass

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.pages / elapsed
        total = f"/{self.total}" if self.total else ""
        eta = ""
        if self.total and rate > 0:
            eta = f", ETA {max(self.total - self.pages, 0) / rate:.0f} s"
        return (
            f"{getattr(self, 'label', '')} {self.pages}{total} pages, {self.chunks} chunks "
            f"({rate:.1f} pages/s, {self.chunks / elapsed:.1f} chunks/s{eta})"
        ).strip()


class BarProgress(Progress):
    """tqdm bar: pages as the unit, chunks in the postfix, rate and ETA from tqdm."""

    def start(self, total: int | None, label: str = "") -> None:
        super().start(total, label)
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="page", desc=label or "ingest", dynamic_ncols=True)

    def advance(self, pages: int = 0, chunks: int = 0) -> None:
        self.pages += pages
        self.chunks += chunks
        self.bar.update(pages)
        self.bar.set_postfix(chunks=self.chunks, refresh=False)

    def close(self) -> None:
        self.bar.close()


class LogProgress(Progress):
    """A log line at most every `every` seconds (for CI logs, systemd, files)."""

    def __init__(self, every: float = 5.0, emit: Callable[[str], None] | None = None) -> None:
        super().__init__()
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


def terminal_progress() -> Progress:
    return BarProgress() if sys.stderr.isatty() else LogProgress()
