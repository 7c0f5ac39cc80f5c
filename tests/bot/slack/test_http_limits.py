"""HTTP mode under garbage: huge bodies get 413 unread, bad requests 401/400 and one log line.

Requests go over real sockets to the running waitress server; nothing here reaches Bolt
unless it is small, signed and parses, and no rejected body ends up in the log.
"""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import quote

import pytest

from bot.slack.guard import MAX_BODY
from tests.bot.slack.slackreq import sign

MARKER = "BODY-MARKER-7f3a"


def raw_request(url: str, head: str, body_parts=(), timeout: float = 5.0) -> str:
    """Send `head` and the body parts on one socket; the status line of the answer.

    The server may answer and close before all parts are sent: sending stops there.
    """
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode())
        try:
            for part in body_parts:
                sock.sendall(part)
        except OSError:
            pass
        return sock.makefile("rb").readline().decode()


def headers(length: str, extra: str = "") -> str:
    return (
        "POST /slack/events HTTP/1.1\r\nHost: deskbot\r\nContent-Type: application/json\r\n"
        f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0=00\r\n"
        f"{length}{extra}\r\n"
    )


def test_huge_content_length_is_refused_before_the_body_is_read(bot):
    started = time.monotonic()  # only the headers are sent: the answer cannot wait for 100 MB
    status = raw_request(bot.url, headers("Content-Length: 100000000\r\n"))
    assert status.startswith("HTTP/1.1 413"), status
    assert time.monotonic() - started < 5


def test_chunked_body_is_refused_once_it_passes_the_limit(bot):
    chunk = b"x" * 65536
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (MAX_BODY // len(chunk) + 2)
    status = raw_request(bot.url, headers("Transfer-Encoding: chunked\r\n"), parts)
    assert status.startswith("HTTP/1.1 413"), status


def test_body_just_under_the_limit_is_read_and_checked(bot):
    body = b'{"type": "url_verification", "challenge": "c1", "pad": "' + b"x" * (MAX_BODY - 100)
    response = bot.sender.post(body + b'"}', "application/json")
    assert response.status_code == 200 and response.json() == {"challenge": "c1"}


GARBAGE = {
    "unsigned-malformed-json": (b'{"type": "event_callback", ' + MARKER.encode(), "json", False),
    "unsigned-form-garbage": (f"payload=%7B{MARKER}%%%".encode(), "form", False),
    "unsigned-json-array": (f'["{MARKER}"]'.encode(), "json", False),
    "signed-malformed-json": (b'{"type": ' + MARKER.encode(), "json", True),
    "signed-form-garbage": (f"payload={quote('{' + MARKER)}".encode(), "form", True),
    "signed-json-array": (f'["{MARKER}"]'.encode(), "json", True),
    "signed-invalid-utf8": (b'{"type": "\xff\xfe' + MARKER.encode() + b'"}', "json", True),
}
TYPES = {"json": "application/json", "form": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("body, kind, signed", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_gets_401_or_400_and_one_log_line_without_the_body(
    bot, slack, caplog, body, kind, signed
):
    caplog.set_level(logging.DEBUG)
    now = int(time.time())
    signature = sign(body, now) if signed else "v0=" + "0" * 64
    response = bot.sender.post(body, TYPES[kind], timestamp=now, signature=signature)

    assert response.status_code == (400 if signed else 401)
    assert MARKER not in caplog.text
    refusals = [r for r in caplog.records if r.name.startswith("bot.slack")]
    assert len(refusals) == 1 and refusals[0].exc_info is None
    assert slack.methods() == []


@pytest.mark.parametrize("timestamp", ["soon", "1e9", "", "-5", "9" * 5000, "١٧٠٠٠٠٠٠٠٠"])
def test_non_numeric_timestamp_gets_401_and_one_log_line(bot, caplog, timestamp):
    caplog.set_level(logging.DEBUG)
    body = f'{{"type": "event_callback", "x": "{MARKER}"}}'.encode()
    response = bot.sender.http.post(
        "/slack/events",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp.encode(),  # bytes: any character goes
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    assert response.status_code == 401
    assert MARKER not in caplog.text
    assert [r.exc_info for r in caplog.records if r.name.startswith("bot.slack")] == [None]


def test_signature_that_is_not_ascii_gets_401(bot, caplog):
    body = b'{"type": "event_callback"}'
    sent = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time()))}
    response = bot.sender.http.post(
        "/slack/events", content=body, headers={**sent, "X-Slack-Signature": "v0=é€".encode()}
    )
    assert response.status_code == 401


def test_badly_signed_request_body_is_never_logged(bot, slack, caplog):
    caplog.set_level(logging.DEBUG)
    body = f'{{"type": "event_callback", "event": {{"text": "{MARKER}"}}}}'.encode()
    response = bot.sender.post(body, "application/json", signature=sign(body, 1, "wrong"))
    assert response.status_code == 401
    assert MARKER not in caplog.text
    assert "refused POST /slack/events" in caplog.text
