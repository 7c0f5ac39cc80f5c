"""The CLI's side of the control socket: reach a running bot, or say there is none.

`running_bot(settings)` returns a client when a `deskbot serve` accepts on the control
socket, and None when there is no socket file or only a stale one (nothing accepts):
then the CLI opens the index itself, as it always did.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

from bot.serve.control_wire import (
    MAX_REPLY_LINE,
    VERSION,
    ControlError,
    WireError,
    encode,
    probe,
    read_message,
)
from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import ConfigError

CONNECT_TIMEOUT = 2.0


class BotClient:
    def __init__(self, path: Path) -> None:
        self.path = path

    def call(self, op: str, args: dict, progress: Callable[[str], None] | None = None) -> dict:
        """Send one request; progress lines go to `progress`; returns the result data."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT)
            try:
                conn.connect(str(self.path))
            except OSError as exc:
                raise ControlError("gone", messages.CONTROL_GONE.format(path=self.path)) from exc
            conn.settimeout(None)  # an ask waits on the model, an ingest on the whole sync
            conn.sendall(encode({"v": VERSION, "op": op, "args": args}))
            with conn.makefile("rb") as replies:
                return _read_replies(replies, progress)


def _read_replies(replies, progress: Callable[[str], None] | None) -> dict:
    while True:
        try:
            message = read_message(replies, MAX_REPLY_LINE)
        except WireError as exc:
            raise ControlError("wire", messages.CONTROL_BROKEN.format(error=exc)) from None
        if message is None:
            raise ControlError("wire", messages.CONTROL_BROKEN.format(error="no answer"))
        kind = message.get("type")
        if kind == "progress" and progress is not None:
            progress(str(message.get("line", "")))
        elif kind == "result":
            return message.get("data") or {}
        elif kind == "error":
            raise ControlError(str(message.get("code")), str(message.get("message", "")))


def running_bot(settings: Settings) -> BotClient | None:
    """A client for the bot serving this data directory, or None when none runs."""
    path = settings.control_socket_path
    if not os.path.lexists(path):
        return None
    failure = probe(path, CONNECT_TIMEOUT)
    if isinstance(failure, PermissionError):
        raise ConfigError(messages.CONTROL_NO_ACCESS.format(path=path))
    if failure is not None:
        return None  # stale (the bot is gone), or a path the OS cannot use
    return BotClient(path)


def local_spec(spec: str) -> str:
    """Folders are resolved here: the bot's working directory is not the CLI's."""
    if ":" in spec.split("/", 1)[0] or spec.startswith(("http://", "https://")):
        return spec
    return str(Path(spec).expanduser().resolve())
