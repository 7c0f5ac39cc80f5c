"""deskbot's Socket Mode runner against the Socket Mode fake: hello, backoff, bad tokens, stop.

The runner drives the real deskbot Bolt app (slash commands need no answering model) over
real WebSockets on 127.0.0.1; `deskbot serve` itself is driven in tests/bot/serve/.
"""

from __future__ import annotations

import logging

import pytest
from slack_sdk import WebClient

from bot.slack.app import build_app
from bot.slack.socket_mode import SocketModeRunner
from bot.store import Store
from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.retry import Backoff
from tests.bot.slack.slackreq import USER, wait_until
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode


def no_reindex(specs, progress):
    raise AssertionError("this test does not reindex")


def denied_command() -> dict:
    return {"command": "/reindex", "text": "", "user_id": USER, "team_id": "T0000001"}


@pytest.fixture
def fakes():
    with FakeSocketMode() as socket, FakeSlack(socket=socket) as slack:
        yield socket, slack


@pytest.fixture
def make_runner(fakes):
    socket, slack = fakes
    runners = []

    def make(**kw) -> SocketModeRunner:
        settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url)
        app = build_app(settings, answerer=None, store=Store(":memory:"), reindex=no_reindex)
        client = WebClient(token=APP_TOKEN, base_url=slack.api_url)
        kw.setdefault("backoff", Backoff(0.05, 0.2))
        runner = SocketModeRunner(app, APP_TOKEN, client, **kw)
        runners.append(runner)
        return runner.start()

    yield make
    for runner in runners:
        runner.stop()


def test_connected_is_logged_only_after_hello(fakes, make_runner, caplog):
    socket, _ = fakes
    socket.send_hello = False
    caplog.set_level(logging.INFO, "bot.slack")
    runner = make_runner(hello_timeout=0.3)
    socket.wait_links(1)
    health = wait_until(lambda: "no hello" in runner.health().reason and runner.health())
    assert not health.ok
    assert "connected to Slack" not in caplog.text
    socket.send_hello = True
    wait_until(lambda: runner.health().ok, what="connected after hello")
    # logged on the runner's thread right after the link is published: wait for the line too
    connected = "deskbot connected to Slack in Socket Mode (hello received"
    wait_until(lambda: connected in caplog.text, what="the connected line")


def test_failed_handshakes_back_off_exponentially_up_to_the_cap(fakes, make_runner, caplog):
    socket, slack = fakes
    socket.refuse(times=4, status=503)
    caplog.set_level(logging.WARNING, "bot.slack")
    runner = make_runner(backoff=Backoff(0.1, 0.4, jitter=lambda low, high: high))
    wait_until(lambda: runner.health().ok, what="connected after the refusals")
    opened = [c.at for c in slack.calls_to("apps.connections.open")]
    gaps = [later - earlier for earlier, later in zip(opened, opened[1:], strict=False)]
    assert len(gaps) == 4
    for gap, delay in zip(gaps, (0.1, 0.2, 0.4, 0.4), strict=True):
        assert delay <= gap < delay + 0.5
    assert "handshake refused (HTTP 503); retrying in 0.4 s (attempt 4)" in caplog.text


def test_backoff_jitter_stays_between_half_and_full_delay():
    backoff = Backoff(1.0, 30.0)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (5, 16.0), (9, 30.0)):
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100  # jittered, not in step
    assert backoff.delay(0) == 0.0


def test_a_revoked_app_token_ends_the_runner_after_three_rejections(fakes, make_runner):
    _, slack = fakes
    slack.app_token = None  # revoked: apps.connections.open answers invalid_auth
    runner = make_runner()
    assert runner.done.wait(10)
    assert str(runner.fatal) == messages.SLACK_APP_TOKEN_REJECTED.format(error="invalid_auth")
    assert len(slack.calls_to("apps.connections.open", ok_only=False)) == 3
    assert not runner.health().ok


def test_ack_carries_the_commands_reply_and_stop_leaves_new_envelopes_unacked(fakes, make_runner):
    socket, _ = fakes
    runner = make_runner()
    wait_until(lambda: runner.health().ok)
    envelope_id = socket.envelope("slash_commands", denied_command())
    ack = socket.wait_ack(envelope_id)
    assert ack.payload["text"] == messages.SLACK_REINDEX_DENIED.format(command="/reindex")
    link = socket.open_links()[-1]
    runner.stop()
    socket.wait_closed(link)
    assert runner.health().reason == "shutting down"
    assert all(not x.open for x in socket.links)
