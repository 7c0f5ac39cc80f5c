"""slack_sdk retry handlers that wait by deskbot's rules (`deskbot.core.retry`).

Why slack_sdk's retry loop is kept here instead of one of ours: Bolt and every handler
call the WebClient's methods directly (`chat_postMessage`, `reactions_add`, Bolt's own
`auth.test`…), so only handlers attached to the client see every call. The loop is
slack_sdk's; what is retried and how long to wait are ours: 429 waits what Slack's
Retry-After asks (read by the one Retry-After reader, cut to a cap), dropped connections
and 500/503 back off with jitter.
"""

from __future__ import annotations

import time

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from deskbot.core.retry import Backoff, retry_after

BACKOFF = Backoff(base=1.0, cap=30.0)  # connection errors and 5xx: 0.5–1 s, 1–2 s, …
RATE_LIMIT = Backoff(base=1.0, cap=120.0)  # 429: Slack's Retry-After, at most 2 minutes


class BackoffIntervals(RetryIntervalCalculator):
    """slack_sdk's interval hook answered by a `Backoff`."""

    def __init__(self, backoff: Backoff = BACKOFF) -> None:
        self.backoff = backoff

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return self.backoff.delay(current_attempt + 1)


class RateLimitErrorRetryHandler(RetryHandler):
    """HTTP 429: wait what Retry-After asks (else back off), then try again."""

    def __init__(self, max_retry_count: int = 3, backoff: Backoff = RATE_LIMIT) -> None:
        super().__init__(max_retry_count, BackoffIntervals(backoff))
        self.backoff = backoff

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        raw = response.headers if response is not None else {}
        headers = {k: v[0] if isinstance(v, list) else v for k, v in raw.items() if v}
        time.sleep(self.backoff.wait(state.current_attempt + 1, retry_after(headers)))
        state.increment_current_attempt()


def retry_handlers() -> list[RetryHandler]:
    """What the bot's WebClient retries: dropped connections (2), 429 (3), 500/503 (2)."""
    waits = BackoffIntervals(BACKOFF)
    return [
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=waits),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=waits),
    ]
