"""Retries for every HTTP client of ours: how long to wait, what the server asked, when to stop.

- `retry_after(headers)` is the one reader of a server's wait: `retry-after-ms` (OpenAI,
  Azure) first, then `Retry-After` as delta-seconds or an HTTP date.
- `Backoff` is capped exponential backoff with jitter; `Backoff.wait(retry, asked)` takes
  the server's wait when it gave one (cut to the cap), else the backoff delay.
- `Deadline` is a budget of waiting for a whole run (all requests and pauses together).

The loops stay with their clients, because each catches its own library's errors:
`ingest/sources/http_retry.py` (httpx, with a `Deadline` per source run),
`bot/llm.py` (openai SDK, its retries off), `bot/teams/connector.py` (aiohttp middleware),
`bot/slack/client.py` (slack_sdk's retry loop, with handlers that wait by these rules) and
`bot/slack/socket_mode.py` (reconnects). `deskbot/tune/provider.py` keeps the openai SDK's
own retry; the reason is written there.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

Jitter = Callable[[float, float], float]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date), or None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_after(headers: Mapping[str, str] | None, *, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait: `retry-after-ms`, then `Retry-After`; or None.

    `headers` may be case-insensitive (httpx, aiohttp) or a plain dict with any casing."""
    if not headers:
        return None
    lowered = {str(k).lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis)
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return max(0.0, value / 1000)
    return parse_retry_after(lowered.get("retry-after"), now=now)


@dataclass(frozen=True)
class Backoff:
    """Delay before retry n (1, 2, …): min(cap, base·2^(n-1)) times a random factor from
    `spread`, never over `cap`.

    The jitter keeps many clients (or many restarts) from retrying in step; the cap keeps a
    long outage from pushing the next try minutes away. `spread=(1.0, 1.0)` waits exactly."""

    base: float = 1.0
    cap: float = 30.0
    spread: tuple[float, float] = (0.5, 1.0)
    jitter: Jitter = random.uniform

    def delay(self, retry: int) -> float:
        if retry <= 0:
            return 0.0
        ceiling = min(self.cap, self.base * 2 ** (retry - 1))
        return min(self.cap, ceiling * self.jitter(*self.spread))

    def wait(self, retry: int, asked: float | None = None) -> float:
        """What the server asked (cut to the cap) when it asked, else the backoff delay."""
        return min(max(asked, 0.0), self.cap) if asked is not None else self.delay(retry)


class Deadline:
    """Seconds of waiting a run may spend, in all (None or 0: no limit).

    Only time inside `waiting()` (and `sleep`) counts, so work done between requests is
    never cut short; the caller decides what running out means (`expired`)."""

    def __init__(
        self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds or None
        self.clock = clock
        self.spent = 0.0

    def restart(self) -> None:
        """A new run: the whole budget again."""
        self.spent = 0.0

    def remaining(self) -> float:
        return math.inf if self.seconds is None else max(0.0, self.seconds - self.spent)

    def expired(self, waited: float = 0.0) -> bool:
        """Spent, counting `waited` (a wait still going on)."""
        return self.seconds is not None and self.spent + waited >= self.seconds

    @contextmanager
    def waiting(self) -> Iterator[Callable[[], float]]:
        """Count the time spent inside the block; yields the time waited so far."""
        started = self.clock()
        try:
            yield lambda: self.clock() - started
        finally:
            self.spent += self.clock() - started

    def sleep(self, seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
        """A retry pause, shortened to the time left, counted as waiting."""
        with self.waiting():
            sleep(min(seconds, self.remaining()))
