"""Logging setup: one format, and a filter that blanks every configured secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_BEARER = re.compile(r"(?i)(authorization:?\s*(?:bearer|basic)\s+)[^\s'\"]+")
_TOKENS = re.compile(
    r"\b(xox[abpsr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)"  # JWTs (Teams, Entra)
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Blank known secret values and anything shaped like a token or auth header."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _BEARER.sub(r"\1***", text)
    return _TOKENS.sub("***", text)


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message or record.exc_info:
            if record.exc_info:
                record.exc_text = redact(
                    logging.Formatter().formatException(record.exc_info), self.secrets
                )
                record.exc_info = None
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Configure the root logger once; every handler gets the redacting filter."""
    root = logging.getLogger()
    if not any(isinstance(h, logging.StreamHandler) for h in root.handlers):
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    root.setLevel(level)
    redacting = RedactingFilter(secrets)
    for handler in root.handlers:
        handler.filters = [f for f in handler.filters if not isinstance(f, RedactingFilter)]
        handler.addFilter(redacting)
    noisy_libraries = (
        "httpx",
        "httpcore",
        "httpx2",
        "httpcore2",
        "openai",
        "urllib3",
        "sentence_transformers",
        "transformers",
    )
    for noisy in noisy_libraries:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
