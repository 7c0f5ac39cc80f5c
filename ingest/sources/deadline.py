"""A source's time budget: how long one run may wait on its server, in all.

A server that accepts connections and never answers would otherwise keep `ingest`
(which holds the index lock) retrying for many minutes per request. Each run of a
network source gets SOURCE_DEADLINE_SECONDS of waiting: every request's timeouts are
cut to what is left, retry pauses count, and a response that trickles in is read in
pieces against the clock. Only time spent waiting on the server counts, not deskbot's
own parsing and embedding, so a large wiki on a healthy server is never cut short.

When the budget is spent the run stops with SourceDeadlineError; the sync keeps what
it indexed and prunes nothing (it prunes only after a source was read to the end).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from deskbot.core import messages
from deskbot.core.errors import SourceDeadlineError

DEFAULT_SECONDS = 600.0


class Deadline:
    """Seconds of waiting a source may spend in one run (None or 0: no limit)."""

    def __init__(
        self,
        seconds: float | None = DEFAULT_SECONDS,
        *,
        service: str = "the source",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds or None
        self.service = service
        self.clock = clock
        self.spent = 0.0

    def restart(self) -> None:
        """A new run: the whole budget again."""
        self.spent = 0.0

    def remaining(self) -> float:
        return math.inf if self.seconds is None else max(0.0, self.seconds - self.spent)

    def check(self, path: str, waited: float = 0.0) -> None:
        """Raise SourceDeadlineError when the budget is spent (`path`: where it stopped;
        `waited`: time of a wait still going on)."""
        if self.seconds is not None and self.spent + waited >= self.seconds:
            raise SourceDeadlineError(
                messages.SOURCE_DEADLINE.format(
                    service=self.service, seconds=self.seconds, path=path
                )
            )

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Count the time spent inside the block."""
        started = self.clock()
        try:
            yield
        finally:
            self.spent += self.clock() - started

    def timeout(self, base: httpx.Timeout) -> httpx.Timeout:
        """`base`, each part cut to the time left (never longer than the budget)."""
        left = self.remaining()
        if left == math.inf:
            return base
        parts = (base.connect, base.read, base.write, base.pool)
        connect, read, write, pool = (left if p is None else min(p, left) for p in parts)
        return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)

    def sleep(self, seconds: float, sleep: Callable[[float], None]) -> None:
        """A retry pause, shortened to the time left, counted as waiting."""
        with self.waiting():
            sleep(min(seconds, self.remaining()))

    def get(
        self, client: httpx.Client, url: str, headers: dict[str, str], path: str
    ) -> httpx.Response:
        """GET `url` within the budget; the body is read piece by piece against the clock,
        so a server that trickles its answer is stopped too."""
        self.check(path)
        started = self.clock()
        try:
            timeout = self.timeout(client.timeout)
            with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                body = bytearray()
                for piece in response.iter_raw():
                    body += piece
                    self.check(path, self.clock() - started)
        finally:
            self.spent += self.clock() - started
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=bytes(body),
            request=response.request,
        )
