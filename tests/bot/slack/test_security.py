"""Request verification, retried deliveries, loops, access control, health check."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from deskbot.core import messages
from tests.bot.slack.slackreq import envelope, message_event, sign, wait_answer, wait_until
from tests.fakes.slack import BOT_ID, BOT_USER

HELP = "C0HELP001"
DM = "D0DM00001"


def mention_body(slack, channel=HELP) -> bytes:
    message = slack.user_message(channel, f"<@{BOT_USER}> How do I connect to the VPN?")
    return json.dumps(envelope(message_event(message, "app_mention"))).encode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, ts: {"signature": "v0=" + "0" * 64},
        lambda body, ts: {"signature": sign(body, ts, "not-the-secret")},
        lambda body, ts: {"timestamp": ts - 6 * 60, "signature": sign(body, ts - 6 * 60)},
    ],
    ids=["forged", "wrong-secret", "stale-timestamp"],
)
def test_bad_signature_or_stale_timestamp_is_rejected_and_does_nothing(bot, slack, tamper):
    body, now = mention_body(slack), int(time.time())
    response = bot.sender.post(body, "application/json", **{"timestamp": now, **tamper(body, now)})
    assert response.status_code == 401
    time.sleep(0.2)  # give a wrongly started listener time to show itself
    assert slack.methods() == []


def test_request_without_slack_headers_is_rejected(bot, slack):
    response = httpx.post(bot.url + "/slack/events", content=mention_body(slack))
    assert response.status_code == 401
    assert slack.methods() == []


def test_retried_delivery_is_answered_once(bot, slack):
    message = slack.user_message(HELP, f"<@{BOT_USER}> How do I connect to the VPN?")
    event = message_event(message, "app_mention")
    assert bot.sender.event(event, event_id="Ev0RETRY1").status_code == 200
    assert bot.sender.event(event, event_id="Ev0RETRY1", retry=1).status_code == 200
    assert bot.sender.event(event, event_id="Ev0RETRY1", retry=2).status_code == 200
    wait_answer(slack, HELP, message.ts)
    marker = slack.user_message(HELP, f"<@{BOT_USER}> wifi password?")
    bot.sender.event(message_event(marker, "app_mention"))
    wait_answer(slack, HELP, marker.ts)
    assert len(slack.bot_replies(HELP, message.ts)) == 1
    assert len(slack.calls_to("reactions.add")) == 2


IGNORED = {
    "own-message": dict(user=BOT_USER, bot_id=BOT_ID),
    "other-bot": dict(user="U0OTHERBT", bot_id="B0OTHER01", bot_profile={"name": "jira"}),
    "bot-message": dict(subtype="bot_message", bot_id="B0OTHER01"),
    "edit": dict(subtype="message_changed", message={"text": "edited", "user": "U0USER01"}),
    "deletion": dict(subtype="message_deleted", previous_message={"text": "x"}),
    "join": dict(subtype="channel_join"),
}


@pytest.mark.parametrize("extra", IGNORED.values(), ids=IGNORED.keys())
def test_bots_itself_edits_and_deletions_are_never_answered(bot, slack, extra):
    message = slack.user_message(DM, "How do I connect to the VPN?")
    assert bot.sender.event(message_event(message, extra=extra)).status_code == 200
    marker = slack.user_message(DM, "wifi password?")
    bot.sender.event(message_event(marker))
    wait_answer(slack, DM, marker.ts)
    assert not slack.bot_replies(DM, message.ts)
    assert [c.args["timestamp"] for c in slack.calls_to("reactions.add")] == [marker.ts]


def test_channel_not_allowed_gets_a_note_and_no_answer(make_bot, slack, model):
    bot = make_bot(allowed_channel_ids=(HELP,))
    other = slack.user_message("C0RANDOM1", f"<@{BOT_USER}> How do I connect to the VPN?")
    bot.sender.event(message_event(other, "app_mention"))
    note = wait_until(lambda: slack.calls_to("chat.postEphemeral"))[0].args
    assert (note["channel"], note["text"]) == ("C0RANDOM1", messages.SLACK_CHANNEL_NOT_ALLOWED)
    allowed = slack.user_message(HELP, f"<@{BOT_USER}> How do I connect to the VPN?")
    bot.sender.event(message_event(allowed, "app_mention"))
    wait_answer(slack, HELP, allowed.ts)
    assert not slack.bot_replies("C0RANDOM1", other.ts)
    assert len(model.chat_requests()) == 1


def test_dms_turned_off_say_so_without_answering(make_bot, slack, model):
    bot = make_bot(allow_dms=False)
    message = slack.user_message(DM, "How do I connect to the VPN?")
    bot.sender.event(message_event(message))
    (reply,) = wait_answer(slack, DM, message.ts)
    assert reply.text == messages.SLACK_DMS_OFF
    assert model.chat_requests() == []


def test_channel_sources_restrict_what_a_channel_may_see(make_bot, slack):
    bot = make_bot(channel_sources={"C0HRONLY1": ("files:/hr-only",)})
    hr = slack.user_message("C0HRONLY1", f"<@{BOT_USER}> How do I connect to the VPN?")
    bot.sender.event(message_event(hr, "app_mention"))
    (reply,) = wait_answer(slack, "C0HRONLY1", hr.ts)
    hint = messages.SLACK_NOT_COVERED_HINT.split(".")[0]
    assert any(hint in b["elements"][0]["text"] for b in reply.blocks if b["type"] == "context")
    assert [u.question for u in bot.store.unanswered()] == ["How do I connect to the VPN?"]


def test_url_verification_and_health_check(bot):
    challenge = {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    response = bot.sender.post(
        json.dumps({**challenge, "type": "url_verification"}).encode(), "application/json"
    )
    assert response.json() == {"challenge": challenge["challenge"]}
    assert httpx.get(bot.url + "/healthz").json()["ok"] is True
    assert httpx.get(bot.url + "/nope").status_code == 404
