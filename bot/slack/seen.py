"""Exactly-once: Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`).

A retried delivery carries the same `event_id`; the same message can also come
as both `app_mention` and `message`. `Seen` remembers keys for a while so each
event, and each message, is handled once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse


class Seen:
    """A thread-safe set of keys that forgets them after `ttl` seconds."""

    def __init__(self, ttl: float = 3600.0, limit: int = 50_000) -> None:
        self.ttl, self.limit = ttl, limit
        self._keys: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time `key` is offered (within the ttl), False after."""
        now = time.monotonic()
        with self._lock:
            while self._keys and (
                len(self._keys) > self.limit or next(iter(self._keys.values())) < now - self.ttl
            ):
                self._keys.popitem(last=False)
            if key in self._keys:
                return False
            self._keys[key] = now
            return True

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._keys


def dedupe_middleware(seen: Seen) -> Callable:
    """Bolt middleware: a second delivery of an event_id is acked and goes no further."""

    def dedupe_events(req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id and not seen.first(f"event:{event_id}"):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            req.context.logger.info("duplicate delivery of %s (retry %s) ignored", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    return dedupe_events
