"""The control socket's wire format: JSON lines over a Unix stream socket.

Request (one line, at most MAX_REQUEST bytes, then the client waits):
    {"v": 1, "op": "status" | "search" | "ask" | "ingest", "args": {...}}
Replies (one JSON object per line, at most MAX_REPLY_LINE bytes each), in order:
    {"type": "progress", "line": "..."}          zero or more (ingest)
    {"type": "result", "data": {...}}            the end, on success
    {"type": "error", "code": "...", "message": "..."}   the end, on failure
One request per connection; the server closes the connection after the last line.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import BinaryIO

from deskbot.core.errors import DeskbotError

VERSION = 1
MAX_REQUEST = 64 * 1024  # a question, a few source specs
MAX_REPLY_LINE = 16 * 1024 * 1024  # an answer with its passages is ~10-50 KB
MAX_QUESTION = 4000  # characters, as a Slack message would carry


class WireError(ValueError):
    """A line that is too long, cut short, or not a JSON object."""


class ControlError(DeskbotError):
    """A request the bot refuses or fails, or cannot be reached for: `code` says why (busy,
    bad_request, failed, gone, wire, …), the message says what to do. The bot raises it
    and sends it as an error line; the CLI raises it from that line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def probe(path: Path, timeout: float) -> OSError | None:
    """Try to connect to the socket at `path`: None when something accepts there within
    `timeout` s, else why not (a PermissionError: the socket is not ours to use)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        try:
            conn.connect(str(path))
        except OSError as exc:
            return exc
    return None


def encode(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


def read_message(stream: BinaryIO, limit: int) -> dict | None:
    """The next JSON line (None at a clean end of stream)."""
    line = stream.readline(limit + 1)
    if not line:
        return None
    if len(line) > limit:
        raise WireError(f"line longer than {limit} bytes")
    if not line.endswith(b"\n"):
        raise WireError("connection closed in the middle of a line")
    try:
        message = json.loads(line)
    except ValueError:
        raise WireError("line is not JSON") from None
    if not isinstance(message, dict):
        raise WireError("line is not a JSON object")
    return message
