"""Feedback buttons and "Ask a human" escalation, clicked through signed interactivity payloads."""

from __future__ import annotations

import dataclasses
import json

import pytest

from deskbot.core import messages
from tests.bot.slack.slackreq import USER, message_event, wait_answer, wait_until
from tests.fakes.slack import BOT_USER

HELP = "C0HELP001"
QUESTION = "How do I connect to the VPN from home?"


def answered(bot, slack):
    question = slack.user_message(HELP, f"<@{BOT_USER}> {QUESTION}")
    bot.sender.event(message_event(question, "app_mention"))
    return question, wait_answer(slack, HELP, question.ts)[0]


def ephemerals(slack):
    return wait_until(lambda: slack.calls_to("chat.postEphemeral"), what="an ephemeral reply")


@pytest.mark.parametrize(
    "clicks, counts, thanks",
    [
        (["up"], {"up": 1, "down": 0}, messages.SLACK_FEEDBACK_THANKS),
        (["down"], {"up": 0, "down": 1}, messages.SLACK_FEEDBACK_THANKS_DOWN),
        (["up", "down"], {"up": 0, "down": 1}, messages.SLACK_FEEDBACK_THANKS_DOWN),
    ],
    ids=["up", "down", "changed-mind"],
)
def test_feedback_is_stored_counted_and_thanked(bot, slack, clicks, counts, thanks):
    question, reply = answered(bot, slack)
    for n, click in enumerate(clicks, 1):
        response = bot.sender.click(reply, f"deskbot_feedback_{click}")
        assert response.status_code == 200 and response.elapsed.total_seconds() < 3
        wait_until(lambda n=n: len(slack.calls_to("chat.postEphemeral")) >= n)
    ephemeral = slack.calls_to("chat.postEphemeral")[-1].args
    assert (ephemeral["user"], ephemeral["thread_ts"], ephemeral["text"]) == (
        USER,
        question.ts,
        thanks,
    )
    assert {k: bot.store.feedback_counts()[k] for k in counts} == counts
    if counts["down"]:
        (vote,) = bot.store.negative_feedback()
        assert vote.question == QUESTION and vote.urls and vote.answer.startswith("Install")


def test_feedback_on_an_unknown_answer_says_so(bot, slack):
    _, reply = answered(bot, slack)
    blocks = json.loads(json.dumps(reply.blocks).replace('"value": "1"', '"value": "999"'))
    bot.sender.click(dataclasses.replace(reply, blocks=blocks), "deskbot_feedback_up")
    assert ephemerals(slack)[0].args["text"] == messages.SLACK_FEEDBACK_GONE
    assert bot.store.feedback_counts()["up"] == 0


def test_ask_a_human_posts_to_the_escalation_channel_with_a_link(make_bot, slack):
    bot = make_bot(escalation_channel="C0ESCAL01", escalation_usergroup="S0HELPERS")
    question, reply = answered(bot, slack)
    bot.sender.click(reply, "deskbot_escalate")
    text = ephemerals(slack)[0].args["text"]

    assert text == messages.SLACK_ESCALATION_DONE.format(where="<#C0ESCAL01>")
    post = next(
        c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ESCAL01"
    )
    assert post["text"].startswith(f"<!subteam^S0HELPERS> <@{USER}>")
    assert f"> {QUESTION}" in post["text"]
    permalink = slack.calls_to("chat.getPermalink")[0].args["message_ts"]
    assert permalink == question.ts
    assert f"/archives/{HELP}/p{question.ts.replace('.', '')}|" in post["text"]


def test_usergroup_alone_is_tagged_in_the_thread(make_bot, slack):
    bot = make_bot(escalation_usergroup="S0HELPERS")
    question, reply = answered(bot, slack)
    bot.sender.click(reply, "deskbot_escalate")
    ephemerals(slack)
    post = [c.args for c in slack.calls_to("chat.postMessage")][-1]
    assert (post["channel"], post["thread_ts"]) == (HELP, question.ts)
    assert post["text"].startswith("<!subteam^S0HELPERS>")


@pytest.mark.parametrize(
    "config, fail, expected",
    [
        ({}, None, messages.SLACK_ESCALATION_NOWHERE),
        ({"escalation_channel": "C0ESCAL01"}, "not_in_channel", messages.SLACK_ESCALATION_FAILED),
    ],
    ids=["not-configured", "channel-unreachable"],
)
def test_escalation_without_a_way_to_a_human_points_to_the_help_desk(
    make_bot, slack, config, fail, expected
):
    bot = make_bot(escalation_text="#it-help", **config)
    _, reply = answered(bot, slack)
    if fail:
        slack.fail("chat.postMessage", fail)
    bot.sender.click(reply, "deskbot_escalate")
    assert ephemerals(slack)[0].args["text"] == expected.format(escalation="#it-help")


LONG_JAPANESE = ("自宅からVPNに接続するにはどうすればいいですか？🔐 " * 150)[:4000]


@pytest.mark.parametrize("streaming", [True, False], ids=["streamed", "posted"])
def test_long_non_ascii_question_gets_its_answer_and_can_be_escalated(make_bot, slack, streaming):
    """Slack refuses a button value over 2,000 characters; the question stays in the store."""
    slack.stream_supported = streaming
    bot = make_bot(escalation_channel="C0ESCAL01")
    question = slack.user_message(HELP, f"<@{BOT_USER}> {LONG_JAPANESE}")
    bot.sender.event(message_event(question, "app_mention"))
    (reply,) = wait_answer(slack, HELP, question.ts)

    assert not reply.text.startswith("Sorry") and reply.blocks[-1]["type"] == "actions"
    assert not [c for c in slack.api if c.error == "invalid_blocks"]
    button = reply.blocks[-1]["elements"][2]
    assert len(button["value"]) < 100  # ids only
    bot.sender.click(reply, "deskbot_escalate")
    assert ephemerals(slack)[0].args["text"] == messages.SLACK_ESCALATION_DONE.format(
        where="<#C0ESCAL01>"
    )
    post = next(
        c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ESCAL01"
    )
    assert f"> {LONG_JAPANESE[:200]}" in post["text"]


def test_escalation_without_a_stored_answer_points_to_the_thread(make_bot, slack):
    bot = make_bot(escalation_channel="C0ESCAL01")
    _, reply = answered(bot, slack)
    bot.store.close()  # the store is gone: the escalation still goes out
    bot.sender.click(reply, "deskbot_escalate")
    ephemerals(slack)
    post = next(
        c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ESCAL01"
    )
    assert f"> {messages.SLACK_ESCALATION_IN_THREAD}" in post["text"]
    assert "|Open the thread>" in post["text"]
