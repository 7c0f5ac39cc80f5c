"""OpenAI-compatible chat completions with our own bounded retry.

The SDK client is built with `max_retries=0` so this module decides what is
retried (timeouts, connection errors, 408/409/429/5xx), how long to wait
(`deskbot.core.retry`: exponential backoff, or the server's Retry-After, capped)
and when to give up (`ModelError`). Authentication failures are not retried: a wrong key stays
wrong. They are logged once per client with the fix, never with the key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from deskbot.core import messages
from deskbot.core.errors import ModelError
from deskbot.core.retry import Backoff, retry_after

if TYPE_CHECKING:  # openai takes ~0.5 s to import: only a process that calls a model pays it
    import openai

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 429})
AUTH_STATUSES = frozenset({401, 403})


@dataclass(frozen=True)
class Completion:
    """One model reply and what it cost in tokens."""

    text: str
    model: str
    usage: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def build_openai_client(api_key: str | None, base_url: str | None, timeout: float) -> openai.OpenAI:
    """The SDK client for any OpenAI-compatible endpoint; retries are ours.

    Local servers (vLLM, Ollama, llama.cpp) often need no key; the SDK insists
    on one, so a placeholder is sent.
    """
    import openai

    return openai.OpenAI(
        api_key=api_key or "not-needed",
        base_url=base_url or None,
        timeout=timeout,
        max_retries=0,
    )


def usage_of(response) -> dict[str, int]:
    usage = getattr(response, "usage", None)
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion = int(getattr(usage, "completion_tokens", 0) or 0)
    total = int(getattr(usage, "total_tokens", 0) or 0) or prompt + completion
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}


def asked_wait(exc: Exception) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms / Retry-After), if any."""
    response = getattr(exc, "response", None)
    return retry_after(getattr(response, "headers", None))


def is_retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status in RETRY_STATUSES or status >= 500)


def describe(exc: Exception) -> str:
    """A short, secret-free description (status and error code, never the body)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect"
    status = getattr(exc, "status_code", None)
    code = getattr(exc, "code", None) or getattr(exc, "type", None)
    return f"HTTP {status}" + (f" ({code})" if isinstance(code, str) and code else "")


class ChatModel:
    """One model on one endpoint: `complete(messages) -> Completion` or `ModelError`."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_wait: float = 10.0,
        key_setting: str = "OPENAI_API_KEY",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.model = model
        self.max_retries = max(0, max_retries)
        # never sooner than the backoff, up to half again: retries of many answers spread out
        self.policy = Backoff(base=backoff, cap=max_wait, spread=(1.0, 1.5))
        self.key_setting = key_setting
        self.sleep = sleep
        self._auth_reported = False

    def complete(
        self,
        chat: Sequence[dict[str, str]],
        *,
        max_tokens: int | None = None,
        temperature: float | None = 0.2,
    ) -> Completion:
        """Ask the model; retry what may pass on a second try; raise `ModelError` otherwise."""
        import openai

        started = time.perf_counter()
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            try:
                response = self._create(chat, max_tokens, temperature)
            except openai.APIError as exc:
                if not is_retryable(exc) or attempt == attempts - 1:
                    raise self._failure(exc, attempt + 1) from None
                wait = self._wait(exc, attempt)
                log.warning(
                    "%s %s, retry %d/%d in %.1fs",
                    self.model,
                    describe(exc),
                    attempt + 1,
                    self.max_retries,
                    wait,
                )
                self.sleep(wait)
                continue
            return self._completion(response, time.perf_counter() - started)
        raise AssertionError("unreachable")  # pragma: no cover

    def _create(self, chat, max_tokens, temperature):
        kwargs: dict = {"model": self.model, "messages": list(chat)}
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        if temperature is not None:
            kwargs["temperature"] = temperature
        return self.client.chat.completions.create(**kwargs)

    def _completion(self, response, seconds: float) -> Completion:
        choices = getattr(response, "choices", None) or []
        text = (choices[0].message.content or "").strip() if choices else ""
        if not text:
            raise ModelError(messages.MODEL_EMPTY_REPLY.format(model=self.model))
        model = getattr(response, "model", None) or self.model
        return Completion(text=text, model=model, usage=usage_of(response), seconds=seconds)

    def _wait(self, exc: Exception, attempt: int) -> float:
        return self.policy.wait(attempt + 1, asked_wait(exc))

    def _failure(self, exc: Exception, attempts: int) -> ModelError:
        status = getattr(exc, "status_code", None)
        if status in AUTH_STATUSES:
            if not self._auth_reported:
                self._auth_reported = True
                log.error(
                    messages.MODEL_AUTH_FAILED.format(
                        model=self.model, status=status, setting=self.key_setting
                    )
                )
            return ModelError(
                messages.MODEL_CREDENTIALS_REJECTED.format(model=self.model, status=status)
            )
        if status == 404:
            log.error(messages.MODEL_NOT_FOUND.format(model=self.model))
        tries = messages.MODEL_FAILED_TRIES.format(attempts=attempts) if attempts > 1 else ""
        return ModelError(
            messages.MODEL_FAILED.format(model=self.model, reason=describe(exc), tries=tries)
        )
