"""The real `deskbot serve` in Socket Mode (a child process) against the Socket Mode fake.

One bot serves the whole module (loading the model costs seconds); each test leaves it
connected for the next, and the last one stops it with SIGTERM during an answer.
"""

from __future__ import annotations

import re
import signal
import threading

import pytest

from bot.prompts import REWRITE_SYSTEM
from deskbot.core import messages
from tests.bot.serve.botproc import start_bot
from tests.bot.serve.conftest import wiki_model
from tests.bot.slack.slackreq import USER, envelope, message_event, wait_answer, wait_until
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import BOT_USER, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode

pytestmark = pytest.mark.slow
CHANNEL = "C0HELP001"


def mention(sock_bot, text: str = "how do I connect to the VPN?", **kw) -> tuple[str, str]:
    """A user's @mention: (its ts, the envelope id)."""
    message = sock_bot.slack.user_message(CHANNEL, f"<@{BOT_USER}> {text}")
    payload = envelope(message_event(message, "app_mention"))
    return message.ts, sock_bot.socket.envelope("events_api", payload, **kw)


def click(message, action_id: str) -> dict:
    button = next(
        e
        for b in message.blocks
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    return {
        "type": "block_actions",
        "user": {"id": USER, "username": "user", "team_id": "T0000001"},
        "team": {"id": "T0000001", "domain": "example"},
        "container": {"type": "message", "message_ts": message.ts, "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "it-help"},
        "message": {**message.as_api(), "blocks": message.blocks},
        "actions": [{"action_id": action_id, "value": button["value"], "type": "button"}],
    }


def test_each_envelope_type_is_acknowledged_and_answered(socket_bot):
    ts, envelope_id = mention(socket_bot)
    assert socket_bot.socket.ack_seconds(envelope_id) < 1
    answer = wait_answer(socket_bot.slack, CHANNEL, ts)[0]
    assert "Northwind Connect" in answer.text

    command = {"command": "/reindex", "text": "", "user_id": USER, "team_id": "T0000001"}
    ack = socket_bot.socket.wait_ack(socket_bot.socket.envelope("slash_commands", command))
    assert ack.payload["text"] == messages.SLACK_REINDEX_DENIED.format(command="/reindex")

    button = click(answer, "deskbot_feedback_up")
    socket_bot.socket.wait_ack(socket_bot.socket.envelope("interactive", button))
    thanks = wait_until(lambda: socket_bot.slack.calls_to("chat.postEphemeral"))
    assert thanks[-1].args["text"] == messages.SLACK_FEEDBACK_THANKS


def test_envelopes_on_both_links_during_a_refresh_are_acked_within_a_second(socket_bot):
    """Slack may still deliver on the old link until the new one said hello, then on the new."""
    fake = socket_bot.socket
    for _ in range(2):
        old, opened = fake.open_links()[-1], len(fake.links)
        fake.hello_gate.clear()  # the replacement connects but says hello only when let
        try:
            fake.disconnect("refresh_requested", old)
            fake.wait_links(opened + 1)
            on_old = mention(socket_bot, link=old)[1]  # open: the bot closes it after hello
            assert fake.ack_seconds(on_old) < 1
        finally:
            fake.hello_gate.set()
        fake.wait_closed(old)  # the bot closes the old link once the new one said hello
        new = fake.open_links()[-1]
        assert fake.ack_seconds(mention(socket_bot, link=new)[1]) < 1
    assert "Socket Mode switched to a new connection, no time offline" in socket_bot.bot.log()
    assert socket_bot.health().status_code == 200


def test_drops_reconnect_with_backoff_and_health_follows_the_connection(socket_bot):
    fake, bot = socket_bot.socket, socket_bot.bot
    mark = len(bot.log())
    fake.refuse(times=3, status=503)
    fake.drop()
    bot.wait_log("retrying in", after=mark)
    down = socket_bot.health()
    assert down.status_code == 503
    assert "Socket Mode not connected" in down.json()["checks"]["slack"]
    log = bot.wait_log("Socket Mode reconnected after", after=mark, timeout=30)[mark:]
    assert "the connection dropped without a close frame" in log
    delays = [
        float(line.split("retrying in ")[1].split(" s")[0])
        for line in log.splitlines()
        if "retrying in" in line
    ]
    assert len(delays) >= 3 and delays[-1] > delays[0]  # exponential, not a fixed tick
    assert wait_until(lambda: socket_bot.health().status_code == 200)

    mark = len(bot.log())
    fake.close(code=1001, reason="going away")
    log = bot.wait_log("Socket Mode reconnected after", after=mark)[mark:]
    assert "Slack closed it (code 1001: going away)" in log
    assert fake.ack_seconds(mention(socket_bot)[1]) < 1


def test_sigterm_during_an_answer_delivers_it_then_exits_0(socket_bot):
    """Ends the module's bot: keep it last."""
    release, started = threading.Event(), threading.Event()

    def slow_model(body: dict) -> str:
        if "SLOWLY" not in body["messages"][-1]["content"]:
            return wiki_model(body)
        started.set()
        release.wait(10)
        return "Slow but sure [1]."

    socket_bot.model.script.default = slow_model
    ts, envelope_id = mention(socket_bot, "where is the printer? SLOWLY")
    socket_bot.socket.wait_ack(envelope_id)
    assert started.wait(30)
    socket_bot.bot.signal(signal.SIGTERM)
    # no new events: every link is closed while the answer is still being written
    wait_until(lambda: all(not link.open for link in socket_bot.socket.links), what="links closed")
    assert socket_bot.bot.proc.poll() is None
    release.set()
    assert socket_bot.bot.wait(30) == 0
    assert "Slow but sure" in wait_answer(socket_bot.slack, CHANNEL, ts)[0].text
    stopped = re.search(
        r"deskbot stopped \(SIGTERM\): (\d+) answer\(s\) finished during "
        r"shutdown, 0 cut off",
        socket_bot.bot.log(),
    )
    assert stopped and int(stopped[1]) >= 1  # ours, and any earlier test's still being written


def test_a_token_revoked_while_running_is_reported_and_exits_non_zero(served_index):
    with FakeSocketMode() as fake, FakeSlack(socket=fake) as slack:
        bot = start_bot(served_index, slack, None)
        try:
            bot.wait_log("deskbot connected to Slack in Socket Mode")
            slack.app_token = None  # revoked in the app's settings
            fake.drop()
            assert bot.wait(60) == 1
            log = bot.log()
        finally:
            bot.close()
    expected = messages.SLACK_APP_TOKEN_REJECTED.format(error="invalid_auth")
    assert f"Error: {expected}" in log
    # the start-up check, the first connection, then three rejections and no more
    assert len(slack.calls_to("apps.connections.open", ok_only=False)) == 1 + 1 + 3
    assert "Traceback" not in log


def test_an_answer_outliving_the_grace_period_is_cut_off_and_the_bot_exits_0(served_index):
    release, started = threading.Event(), threading.Event()

    def stuck_model(body: dict) -> str:
        if body["messages"][0]["content"] == REWRITE_SYSTEM:
            return wiki_model(body)
        started.set()
        release.wait(30)
        return "Too late [1]."

    with (
        FakeSocketMode() as fake,
        FakeSlack(socket=fake) as slack,
        FakeOpenAIChat(default=stuck_model) as model,
    ):
        bot = start_bot(served_index, slack, model.base_url, SHUTDOWN_GRACE_SECONDS="1")
        try:
            bot.wait_log("deskbot connected to Slack in Socket Mode")
            message = slack.user_message(CHANNEL, f"<@{BOT_USER}> where is the printer?")
            fake.wait_ack(
                fake.envelope("events_api", envelope(message_event(message, "app_mention")))
            )
            assert started.wait(30)
            bot.signal(signal.SIGTERM)
            assert bot.wait(20) == 0  # 1 s of grace, not the model's 30
            log = bot.log()
        finally:
            release.set()
            bot.close()
    assert re.search(
        r"deskbot stopped \(SIGTERM\): 0 answer\(s\) finished during shutdown, "
        r"1 cut off after the 1 s grace period",
        log,
    ), log
    assert "Traceback" not in log
