"""A fake of Slack's Socket Mode WebSocket endpoint on 127.0.0.1, for driving the real client.

Slack's side of the protocol, as the Socket Mode docs and python-slack-sdk's own
mock server describe it:
- `apps.connections.open` (served by FakeSlack) hands out a one-time `wss://…/link/?ticket=…`
  URL; here `ticket()` mints one and the handshake refuses unknown or reused tickets (403).
- On connect Slack sends `{"type": "hello", "num_connections": n, …}`.
- Envelopes: `{"envelope_id", "type": events_api|slash_commands|interactive, "payload",
  "accepts_response_payload", "retry_attempt", "retry_reason"}`; the app acks with
  `{"envelope_id", "payload"?}` on the same socket.
- `{"type": "disconnect", "reason": warning|refresh_requested|link_disabled|…}` before Slack
  closes a connection; close frames with a code; and, in real life, abrupt drops.

Knobs: `hello_delay`, `hello_gate` (cleared: new connections wait for it before their
hello), `refuse(times, status)`, `send_hello`. Every ack is recorded with its
arrival time; `envelope()` returns the id to wait for with `wait_ack()`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


@dataclass
class Ack:
    envelope_id: str
    payload: dict | None
    at: float  # time.perf_counter() on arrival
    link: int  # which connection it came on


@dataclass
class Link:
    number: int
    ws: ServerConnection
    opened_at: float
    closed_at: float | None = None
    received: list[dict] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.closed_at is None


class FakeSocketMode:
    def __init__(self) -> None:
        self.links: list[Link] = []
        self.acks: dict[str, Ack] = {}
        self.sent: dict[str, float] = {}  # envelope id -> time.perf_counter() when sent
        self.hello_delay = 0.0
        self.send_hello = True
        self.hello_gate = threading.Event()  # clear it to hold new connections' hello
        self.hello_gate.set()
        self._tickets: set[str] = set()
        self._refusals: list[int] = []
        self._numbers = itertools.count(1)
        self._cond = threading.Condition()
        self._server = None

    # --- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeSocketMode:
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            ping_interval=None,
            compression=None,
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            for link in self.open_links():
                self.drop(link)
            self._server.shutdown()
            self._server = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what FakeSlack and tests use ------------------------------------------------
    def ticket(self) -> str:
        """A one-time WebSocket URL, as apps.connections.open returns it."""
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets.add(ticket)
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={ticket}&app_id=A0000001"

    def refuse(self, times: int = 1, status: int = 503) -> None:
        """The next `times` handshakes are answered with HTTP `status` instead of a WebSocket."""
        with self._cond:
            self._refusals.extend([status] * times)

    def open_links(self) -> list[Link]:
        with self._cond:
            return [link for link in self.links if link.open]

    def wait_links(self, count: int, timeout: float = 10.0) -> list[Link]:
        """Wait until at least `count` connections were opened in total; return the open ones."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.links) >= count, timeout):
                raise AssertionError(f"{len(self.links)} of {count} Socket Mode connection(s)")
        return self.open_links()

    def wait_closed(self, link: Link, timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: not link.open, timeout):
                raise AssertionError(f"connection {link.number} still open")

    def envelope(
        self,
        kind: str,
        payload: dict,
        *,
        link: Link | None = None,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
    ) -> str:
        """Send an envelope (events_api, slash_commands, interactive) on `link` (default: newest)."""
        link = link or self.open_links()[-1]
        envelope_id = str(uuid.uuid4())
        message = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": (
                kind != "events_api"
                if accepts_response_payload is None
                else accepts_response_payload
            ),
        }
        if kind == "events_api":
            message |= {"retry_attempt": retry_attempt, "retry_reason": ""}
        with self._cond:
            self.sent[envelope_id] = time.perf_counter()
        link.ws.send(json.dumps(message))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"envelope {envelope_id} was not acknowledged in {timeout} s")
            return self.acks[envelope_id]

    def ack_seconds(self, envelope_id: str) -> float:
        return self.wait_ack(envelope_id).at - self.sent[envelope_id]

    def disconnect(self, reason: str, link: Link | None = None) -> None:
        link = link or self.open_links()[-1]
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-applink"}}
        link.ws.send(json.dumps(message))

    def close(self, link: Link | None = None, code: int = 1001, reason: str = "") -> None:
        """A clean close handshake started by Slack."""
        (link or self.open_links()[-1]).ws.close(code, reason)

    def drop(self, link: Link | None = None) -> None:
        """An abrupt drop: the TCP connection goes away without a close frame."""
        link = link or self.open_links()[-1]
        with contextlib.suppress(OSError):
            link.ws.socket.shutdown(socket.SHUT_RDWR)
        link.ws.socket.close()
        with self._cond:
            link.closed_at = link.closed_at or time.perf_counter()
            self._cond.notify_all()

    # --- server side -----------------------------------------------------------------
    def _check_ticket(self, connection: ServerConnection, request):
        ticket = request.path.partition("ticket=")[2].partition("&")[0]
        with self._cond:
            status = self._refusals.pop(0) if self._refusals else None
            known = ticket in self._tickets
            self._tickets.discard(ticket)
        if status is not None:
            return connection.respond(HTTPStatus(status), "refused by the fake\n")
        if not known:
            return connection.respond(HTTPStatus.FORBIDDEN, "unknown or used ticket\n")
        return None

    def _handle(self, ws: ServerConnection) -> None:
        with self._cond:
            link = Link(next(self._numbers), ws, time.perf_counter())
            self.links.append(link)
            connections = len([x for x in self.links if x.open])
            self._cond.notify_all()
        try:
            if self.hello_delay:
                time.sleep(self.hello_delay)
            self.hello_gate.wait(30)
            if self.send_hello:
                ws.send(json.dumps(_hello(connections)))
            for raw in ws:
                self._receive(link, raw)
        except (ConnectionClosed, OSError):
            pass
        finally:
            with self._cond:
                link.closed_at = link.closed_at or time.perf_counter()
                self._cond.notify_all()

    def _receive(self, link: Link, raw: str | bytes) -> None:
        message = json.loads(raw)
        at = time.perf_counter()
        with self._cond:
            link.received.append(message)
            if "envelope_id" in message:
                self.acks.setdefault(
                    message["envelope_id"],
                    Ack(message["envelope_id"], message.get("payload"), at, link.number),
                )
            self._cond.notify_all()


def _hello(connections: int) -> dict:
    return {
        "type": "hello",
        "num_connections": connections,
        "debug_info": {
            "host": "fake-applink",
            "build_number": 1,
            "approximate_connection_time": 18060,
        },
        "connection_info": {"app_id": "A0000001"},
    }
