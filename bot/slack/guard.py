"""What may reach Bolt on /slack/events: a small body, signed by Slack, that parses.

Slack's requests are a few KB: an event envelope (a message holds at most 40,000
characters, about 240 KB as UTF-8 JSON with its rich-text blocks at the very worst),
a slash command form, a button click carrying the clicked message (deskbot's own
are at most ~12,000 characters of answer). `MAX_BODY` (1 MiB) leaves room for all
of them and refuses anything larger with 413: waitress does so from the
Content-Length header before reading the body, and stops reading a chunked body at
the limit; `check_request` checks again for any other WSGI server.

A request not signed with SLACK_SIGNING_SECRET (no or non-numeric timestamp, stale,
forged) gets 401; a signed one that does not parse gets 400. Either way one log line
says why, and the body is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import time
from dataclasses import dataclass

from slack_bolt.request.internals import parse_body

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # bytes
MAX_CLOCK_SKEW = 300  # seconds, as Slack's own verifiers allow


@dataclass(frozen=True)
class Refusal:
    status: str  # "401 Unauthorized", …
    reason: str  # for the log line (never the body)


def check_request(environ: dict, signing_secret: str | None) -> Refusal | None:
    """Read and check the body of a POST; on success Bolt reads it again from `environ`."""
    length = _content_length(environ)
    if length is None:
        return Refusal("400 Bad Request", "Content-Length is not a number")
    if length > MAX_BODY:
        return Refusal("413 Payload Too Large", f"body of {length} bytes is over {MAX_BODY}")
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    if signing_secret:
        refusal = _check_signature(environ, body, signing_secret)
        if refusal:
            return refusal
    return _check_parses(environ, body)


def _content_length(environ: dict) -> int | None:
    value = environ.get("CONTENT_LENGTH") or "0"
    return int(value) if value.isdigit() else None


def _check_signature(environ: dict, body: bytes, secret: str) -> Refusal | None:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not timestamp or not signature:
        return Refusal("401 Unauthorized", "no X-Slack-Request-Timestamp or X-Slack-Signature")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return Refusal("401 Unauthorized", "X-Slack-Request-Timestamp is not a number")
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
        return Refusal("401 Unauthorized", "X-Slack-Request-Timestamp is over 5 minutes off")
    if not valid_signature(body, timestamp, signature, secret):
        return Refusal("401 Unauthorized", "X-Slack-Signature does not match the body")
    return None


def valid_signature(body: bytes, timestamp: str, signature: str, secret: str) -> bool:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}`, over the raw bytes."""
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _check_parses(environ: dict, body: bytes) -> Refusal | None:
    """The body as Bolt will read it (UTF-8, then JSON or a form) must give an object."""
    try:
        text = body.decode("utf-8")
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0] or None
        parsed = parse_body(text, content_type)
    except (UnicodeDecodeError, ValueError) as exc:
        return Refusal("400 Bad Request", f"body does not parse ({type(exc).__name__})")
    if not isinstance(parsed, dict):
        return Refusal("400 Bad Request", f"body is a JSON {type(parsed).__name__}, not an object")
    return None


def refuse(environ: dict, start_response, refusal: Refusal) -> list[bytes]:
    """Answer a refused request; one log line with where from, why, and the size."""
    log.warning(
        "refused %s %s from %s: %s",
        environ.get("REQUEST_METHOD"),
        environ.get("PATH_INFO"),
        environ.get("REMOTE_ADDR", "?"),
        refusal.reason,
    )
    start_response(refusal.status, [("Content-Type", "text/plain; charset=utf-8")])
    return [refusal.status.split(" ", 1)[1].encode()]
