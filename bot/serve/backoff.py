"""Capped exponential backoff with jitter, for reconnecting transports."""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """Delay before retry n (1, 2, …): min(cap, base·2^(n-1)), scaled by a random 50–100 %.

    The jitter keeps many bots (or many restarts) from retrying in step; the cap keeps a
    long outage from pushing the next try minutes away.
    """

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 30.0,
        *,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.base, self.cap, self.jitter = base, cap, jitter

    def delay(self, attempt: int) -> float:
        if attempt <= 0:
            return 0.0
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return ceiling * self.jitter(0.5, 1.0)
