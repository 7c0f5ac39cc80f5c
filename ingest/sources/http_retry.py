"""GET with retries for the HTTP sources: 429 and 5xx honour Retry-After, else backoff.

The waiting rules are `deskbot.core.retry`'s (one Retry-After reader, one backoff).
The caller hands in the httpx client, the headers (credentials included) and a
`sleep` function, so tests can record the waits instead of waiting, and the source's
`SourceDeadline` (deadline.py), which bounds the waiting of a whole run. Messages name
the URL path only: never the query, never a header.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import httpx

from deskbot.core import messages
from deskbot.core.errors import SourceError
from deskbot.core.retry import Backoff, retry_after
from ingest.sources.deadline import SourceDeadline

log = logging.getLogger(__name__)

MAX_WAIT = 300.0  # seconds; a longer Retry-After is shortened to this


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def get_with_retries(
    client: httpx.Client,
    url: str,
    *,
    headers: Mapping[str, str],
    service: str,
    max_retries: int = 5,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    deadline: SourceDeadline | None = None,
) -> httpx.Response:
    """GET `url`; retry 429/5xx/timeouts/connection errors at most `max_retries` times.

    Returns the first response that is not retryable (the caller checks 4xx).
    Raises SourceError naming `service` and the URL path when retries run out, and
    SourceDeadlineError when the `deadline` is spent first.
    """
    path = urlsplit(url).path
    deadline = deadline or SourceDeadline(None, service=service)
    policy = Backoff(base=backoff, cap=MAX_WAIT)
    attempts = max_retries + 1
    for attempt in range(attempts):
        try:
            response = deadline.get(client, url, dict(headers), path)
        except httpx.TransportError as exc:  # timeouts, refused or dropped connections
            reason = f"{type(exc).__name__}"
            wait = policy.wait(attempt + 1)
        else:
            if not _retryable(response.status_code):
                return response
            reason = f"HTTP {response.status_code}"
            wait = policy.wait(attempt + 1, retry_after(response.headers))
        if attempt == attempts - 1:
            break
        deadline.check(path)  # no time left for another try
        log.warning(
            "%s answered %s for %s; retrying in %.1f s (retry %d of %d)",
            service,
            reason,
            path,
            wait,
            attempt + 1,
            max_retries,
        )
        deadline.sleep(wait, sleep)
    raise SourceError(
        messages.HTTP_GAVE_UP.format(service=service, path=path, reason=reason, attempts=attempts)
    )
