"""Streaming where Slack allows it, chat.postMessage/chat.update where it does not, long answers."""

from __future__ import annotations

import pytest

from bot.slack.blocks import MAX_BLOCKS, SECTION_LIMIT, TEXT_LIMIT
from tests.bot.slack.slackreq import message_event, wait_answer
from tests.fakes.slack import BOT_USER

HELP = "C0HELP001"


def mention(bot, slack, channel=HELP, text="How do I connect to the VPN from home?"):
    message = slack.user_message(channel, f"<@{BOT_USER}> {text}")
    bot.sender.event(message_event(message, "app_mention"))
    return message


def test_channel_without_streaming_falls_back_to_mrkdwn_messages(bot, slack):
    slack.stream_supported = False
    first = mention(bot, slack)
    reply = wait_answer(slack, HELP, first.ts)[0]

    assert [c.error for c in slack.calls_to("chat.startStream", ok_only=False)] == [
        "method_not_supported_for_channel_type"
    ]
    body = reply.blocks[0]["text"]["text"]
    assert body.startswith("Install *Northwind Connect* and sign in with Okta [1].")
    assert "\n• Open the app from the menu bar [1]" in body
    assert [b["type"] for b in reply.blocks] == ["section", "context", "actions"]

    second = mention(bot, slack)  # the refusal is remembered for channels
    wait_answer(slack, HELP, second.ts)
    assert len(slack.calls_to("chat.startStream", ok_only=False)) == 1


def test_unknown_stream_method_turns_streaming_off_everywhere(bot, slack):
    slack.fail("chat.startStream", "unknown_method")
    first = mention(bot, slack)
    wait_answer(slack, HELP, first.ts)
    dm = slack.user_message("D0DM00001", "where is the vpn guide?")
    bot.sender.event(message_event(dm))
    wait_answer(slack, "D0DM00001", dm.ts)
    assert len(slack.calls_to("chat.startStream", ok_only=False)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 2


LONG = "\n\n".join(
    f"Step {n}: open Northwind Connect and check the setting [1]." for n in range(60)
)


def test_stream_that_breaks_half_way_is_replaced_by_the_full_answer(bot, slack, model):
    model.push(LONG)
    slack.fail("chat.appendStream", "message_not_in_streaming_state")
    question = mention(bot, slack)
    (reply,) = wait_answer(slack, HELP, question.ts)

    assert slack.calls_to("chat.update")[0].args["ts"] == reply.ts  # the stream's message
    assert "Step 59: open Northwind Connect" in reply.text
    assert reply.blocks[-1]["type"] == "actions"


def test_streamed_answer_arrives_in_pieces(bot, slack, model):
    model.push(LONG)
    question = mention(bot, slack)
    reply = wait_answer(slack, HELP, question.ts)[0]
    assert len(slack.calls_to("chat.appendStream")) >= 2
    assert reply.text.count("[1]") == 60


@pytest.mark.parametrize("streaming", [True, False])
def test_very_long_answer_is_split_within_slack_limits(bot, slack, model, streaming):
    slack.stream_supported = streaming
    paragraph = "The VPN client **Northwind Connect** keeps the session for 12 hours [1]. " * 6
    model.push("\n\n".join([paragraph] * 70) + "\n\n```\nnwconnect reset\n```")
    question = mention(bot, slack)
    replies = wait_answer(slack, HELP, question.ts, count=3)

    assert not slack.calls_to("chat.startStream", ok_only=False)  # too long to stream
    for reply in replies:
        assert len(reply.text) <= TEXT_LIMIT and len(reply.blocks) <= MAX_BLOCKS
        sections = [b["text"]["text"] for b in reply.blocks if b["type"] == "section"]
        assert all(len(s) <= SECTION_LIMIT for s in sections)
        assert all(s.count("```") % 2 == 0 for s in sections)
    assert [b["type"] for b in replies[-1].blocks][-2:] == ["context", "actions"]
    assert all(b["type"] == "section" for r in replies[:-1] for b in r.blocks)
