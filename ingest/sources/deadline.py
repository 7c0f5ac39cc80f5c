"""A source's time budget: how long one run may wait on its server, in all.

A server that accepts connections and never answers would otherwise keep `ingest`
(which holds the index lock) retrying for many minutes per request. Each run of a
network source gets SOURCE_DEADLINE_SECONDS of waiting: every request's timeouts are
cut to what is left, retry pauses count, and a response that trickles in is read in
pieces against the clock. Only time spent waiting on the server counts, not deskbot's
own parsing and embedding, so a large wiki on a healthy server is never cut short.

The budget itself is `deskbot.core.retry.Deadline`; this adds what httpx needs and the
error: when the budget is spent the run stops with SourceDeadlineError, and the sync
keeps what it indexed and prunes nothing (it prunes only after a source was read to the end).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import httpx

from deskbot.core import messages
from deskbot.core.errors import SourceDeadlineError
from deskbot.core.retry import Deadline

DEFAULT_SECONDS = 600.0


class SourceDeadline(Deadline):
    """Seconds of waiting a source may spend in one run (None or 0: no limit)."""

    def __init__(
        self,
        seconds: float | None = DEFAULT_SECONDS,
        *,
        service: str = "the source",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(seconds, clock=clock)
        self.service = service

    def check(self, path: str, waited: float = 0.0) -> None:
        """Raise SourceDeadlineError when the budget is spent (`path`: where it stopped;
        `waited`: time of a wait still going on)."""
        if self.expired(waited):
            raise SourceDeadlineError(
                messages.SOURCE_DEADLINE.format(
                    service=self.service, seconds=self.seconds, path=path
                )
            )

    def timeout(self, base: httpx.Timeout) -> httpx.Timeout:
        """`base`, each part cut to the time left (never longer than the budget)."""
        left = self.remaining()
        if left == math.inf:
            return base
        parts = (base.connect, base.read, base.write, base.pool)
        connect, read, write, pool = (left if p is None else min(p, left) for p in parts)
        return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)

    def get(
        self, client: httpx.Client, url: str, headers: dict[str, str], path: str
    ) -> httpx.Response:
        """GET `url` within the budget; the body is read piece by piece against the clock,
        so a server that trickles its answer is stopped too."""
        self.check(path)
        with self.waiting() as waited:
            timeout = self.timeout(client.timeout)
            with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                body = bytearray()
                for piece in response.iter_raw():
                    body += piece
                    self.check(path, waited())
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=bytes(body),
            request=response.request,
        )
