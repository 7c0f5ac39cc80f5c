"""Talking to an OpenAI-compatible fine-tuning API: the client, and errors in plain words.

Every SDK failure becomes a `ProviderError` whose text says what to fix. The
provider's own message is included only after redaction (some proxies echo the
API key back), and never for a 401.
"""

from __future__ import annotations

from collections.abc import Iterable

import openai

from deskbot.core import messages
from deskbot.core.errors import ProviderError
from deskbot.core.logs import redact

DEFAULT_BASE = "https://api.openai.com/v1"


def make_client(
    api_key: str | None, base_url: str | None, *, timeout: float = 60.0, max_retries: int = 2
):
    """The real SDK client, with the SDK's own retries (`max_retries`, LLM_MAX_RETRIES).

    Unlike bot/llm.py (retries off, `deskbot.core.retry` decides), the toolkit keeps the
    SDK's retry: it makes eight kinds of calls (upload, create, retrieve, events, content,
    models…) from a command a person watches, and the SDK retries each of them by the
    same rules as deskbot.core.retry (408/409/429/5xx and dropped connections;
    retry-after-ms, then Retry-After in seconds or as a date; exponential backoff with
    jitter), without a retry loop around every call site. The bot's answer path needs
    its own loop for what the SDK cannot give: one log line per retry and the attempts
    counted in the ModelError that makes it quote the wiki instead.
    """
    return openai.OpenAI(
        api_key=api_key or "not-needed",
        base_url=base_url or None,
        timeout=timeout,
        max_retries=max_retries,
    )


def base_of(client) -> str:
    """The endpoint for messages, without any user:password part."""
    url = str(getattr(client, "base_url", "") or DEFAULT_BASE).rstrip("/")
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


def _detail(exc: openai.APIStatusError, secrets: Iterable[str]) -> str:
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    return redact(str(message or exc.message or "no details"), secrets)[:300]


def _mentions(exc: Exception, *words: str) -> bool:
    text = str(getattr(exc, "message", "") or exc).lower()
    code = str(getattr(exc, "code", "") or "").lower()
    return any(w in text or w in code for w in words)


def translate(
    exc: Exception,
    client,
    *,
    action: str,
    model: str | None = None,
    job_id: str | None = None,
    file_id: str | None = None,
    secrets: Iterable[str] = (),
) -> ProviderError:
    """A ProviderError with a clear message for an SDK exception."""
    base = base_of(client)
    secrets = tuple(secrets) + (getattr(client, "api_key", "") or "",)
    if isinstance(exc, openai.APIConnectionError):
        reason = "timed out" if isinstance(exc, openai.APITimeoutError) else "connection failed"
        return ProviderError(messages.TUNE_UNREACHABLE.format(base=base, reason=reason))
    if not isinstance(exc, openai.APIStatusError):
        return ProviderError(redact(f"{action} failed: {exc}", secrets))
    status = exc.status_code
    if status == 401:
        return ProviderError(messages.TUNE_AUTH.format(base=base))
    detail = _detail(exc, secrets)
    if status == 403:
        return ProviderError(
            messages.TUNE_REFUSED.format(base=base, action=action, status=status, detail=detail)
        )
    if file_id and status == 400 and _mentions(exc, "not ready", "being processed", "processing"):
        return ProviderError(messages.TUNE_FILE_PROCESSING.format(file_id=file_id, seconds=0))
    if model and status in (400, 404) and _mentions(exc, "model"):
        return ProviderError(
            messages.TUNE_UNKNOWN_MODEL.format(base=base, model=model, status=status)
        )
    if job_id and status == 404:
        return ProviderError(messages.TUNE_NO_JOB.format(job_id=job_id, base=base))
    return ProviderError(
        messages.TUNE_PROVIDER_ERROR.format(base=base, action=action, status=status, detail=detail)
    )


def is_not_ready(exc: Exception) -> bool:
    """A 400 saying an uploaded file is not processed yet (worth retrying shortly)."""
    return isinstance(exc, openai.BadRequestError) and _mentions(
        exc, "not ready", "being processed", "file_not_ready"
    )
