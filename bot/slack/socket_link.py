"""One Socket Mode WebSocket: open it, wait for Slack's `hello`, read it in its own thread.

Each link reads on its own thread from the moment it opens, so a replacement link
is read while the old one is still closing (python-slack-sdk's built-in client reads
the new socket only once the old one is closed, ~3 s later). Envelopes go to
`on_envelope(link, message)`, `disconnect` requests to `on_disconnect(link, reason)`,
and the end of the connection, with a readable reason, to `on_closed(link, reason)`.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

log = logging.getLogger(__name__)

OPEN_TIMEOUT = 10.0  # seconds for the TCP + TLS + WebSocket handshake
HELLO_TIMEOUT = 10.0  # seconds from the handshake to Slack's hello
PING_INTERVAL = 10.0  # keepalive: a dead TCP connection is noticed within ~20 s
CLOSE_TIMEOUT = 2.0  # Slack does not always finish the close handshake
MAX_MESSAGE = 4 * 1024 * 1024  # envelopes are KBs; a view submission can be ~100 KB

_numbers = itertools.count(1)


class LinkError(Exception):
    """The link could not be opened (the message says why, without the ticket URL)."""


class Link:
    def __init__(
        self,
        url: str,
        *,
        on_envelope: Callable[[Link, dict], None],
        on_disconnect: Callable[[Link, str], None],
        on_closed: Callable[[Link, str], None],
        hello_timeout: float = HELLO_TIMEOUT,
    ) -> None:
        self.url = url
        self.number = next(_numbers)
        self.on_envelope, self.on_disconnect, self.on_closed = on_envelope, on_disconnect, on_closed
        self.hello_timeout = hello_timeout
        self.hello: dict = {}
        self.opened_at = 0.0
        self.closed = threading.Event()
        self._ready = threading.Event()
        self._error: str | None = None
        self._ws: ClientConnection | None = None

    # --- opening ---------------------------------------------------------------------
    def open(self) -> Link:
        """Connect and wait for `hello`; then read in this link's thread. Raises LinkError."""
        thread = threading.Thread(target=self._run, name=f"deskbot-socket-{self.number}")
        thread.daemon = True
        thread.start()
        self._ready.wait(OPEN_TIMEOUT + self.hello_timeout + 1)
        if self._error is not None or not self._ready.is_set():
            raise LinkError(self._error or "no connection")
        return self

    def _run(self) -> None:
        """The link's thread: the connection lives inside `with`, from handshake to close."""
        try:
            with connect(
                self.url,
                open_timeout=OPEN_TIMEOUT,
                ping_interval=PING_INTERVAL,
                ping_timeout=PING_INTERVAL,
                close_timeout=CLOSE_TIMEOUT,
                max_size=MAX_MESSAGE,
                compression=None,
            ) as ws:
                self._ws = ws
                early = self._await_hello(ws)
                self.opened_at = time.monotonic()
                self._ready.set()
                self._read(ws, early)
        except InvalidStatus as exc:
            self._fail(f"handshake refused (HTTP {exc.response.status_code})")
        except LinkError as exc:
            self._fail(str(exc))
        except (InvalidHandshake, OSError, TimeoutError) as exc:
            self._fail(f"handshake failed ({type(exc).__name__}: {exc})")

    def _fail(self, why: str) -> None:
        self._error = why
        self._ready.set()

    def _await_hello(self, ws: ClientConnection) -> list[dict]:
        """Read until `hello`; anything that came before it is handed on afterwards."""
        early: list[dict] = []
        deadline = time.monotonic() + self.hello_timeout
        try:
            while True:
                raw = ws.recv(timeout=max(deadline - time.monotonic(), 0.001))
                message = _parse(raw)
                if message.get("type") == "hello":
                    self.hello = message
                    return early
                early.append(message)
        except TimeoutError:
            self._abort()
            raise LinkError(f"no hello from Slack within {self.hello_timeout:.0f} s") from None
        except ConnectionClosed as exc:
            self._abort()
            raise LinkError(f"closed before hello ({describe_close(exc)})") from None

    # --- reading ---------------------------------------------------------------------
    def _read(self, ws: ClientConnection, early: list[dict]) -> None:
        """Route every message until the connection ends; then report why."""
        reason = "closed"
        try:
            for message in early:
                self._route(message)
            for raw in ws:
                self._route(_parse(raw))
            reason = describe_close(None, ws)
        except ConnectionClosed as exc:
            reason = describe_close(exc)
        except Exception as exc:  # a bug must not leave a dead link marked open
            log.exception("Socket Mode link %d failed", self.number)
            reason = f"reader failed ({type(exc).__name__})"
            self._abort()
        finally:
            self.closed.set()
            self.on_closed(self, reason)

    def _route(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "disconnect":
            self.on_disconnect(self, str(message.get("reason") or "unknown"))
        elif message.get("envelope_id"):
            self.on_envelope(self, message)
        elif kind != "hello":
            log.debug("Socket Mode message of type %r ignored", kind)

    # --- writing and closing ---------------------------------------------------------
    def send(self, message: dict) -> bool:
        """Send one JSON message; False if the link is already closed."""
        if self._ws is None or self.closed.is_set():
            return False
        try:
            self._ws.send(json.dumps(message))
            return True
        except (ConnectionClosed, OSError):
            return False

    @property
    def open_now(self) -> bool:
        return self._ws is not None and not self.closed.is_set()

    def close(self, reason: str = "") -> None:
        """Close handshake (bounded by CLOSE_TIMEOUT); the reader reports the end."""
        if self._ws is not None:
            try:
                self._ws.close(1000, reason[:100])
            except OSError:
                self._abort()

    def close_in_background(self, reason: str = "") -> None:
        threading.Thread(
            target=self.close, args=(reason,), name=f"deskbot-close-{self.number}", daemon=True
        ).start()

    def _abort(self) -> None:
        if self._ws is not None:
            self._ws.close_socket()


def _parse(raw: str | bytes) -> dict:
    try:
        message = json.loads(raw)
    except ValueError:
        log.warning("Socket Mode message that is not JSON ignored (%d bytes)", len(raw))
        return {}
    return message if isinstance(message, dict) else {}


def describe_close(exc: ConnectionClosed | None, ws: ClientConnection | None = None) -> str:
    """A readable reason for the end of a connection."""
    rcvd = exc.rcvd if exc is not None else (ws.protocol.close_rcvd if ws else None)
    sent = exc.sent if exc is not None else (ws.protocol.close_sent if ws else None)
    if rcvd is not None:
        text = f"Slack closed it (code {rcvd.code}"
        return text + (f": {rcvd.reason})" if rcvd.reason else ")")
    if sent is not None and sent.code == 1011:
        return "no answer to keepalive pings (connection dead)"
    if sent is not None:
        return f"closed by deskbot (code {sent.code})"
    return "the connection dropped without a close frame"
