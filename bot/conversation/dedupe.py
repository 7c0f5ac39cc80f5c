"""Exactly-once: chat platforms redeliver what they think the bot missed.

Slack retries an event (`X-Slack-Retry-Num`) and may announce one message twice;
Teams redelivers an activity when the bot takes longer than about 15 seconds.
`Seen` remembers keys for a while so each delivery is handled once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


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
