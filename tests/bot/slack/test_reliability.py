"""Never silent: rate limits are retried, model failures still answer, errors apologise."""

from __future__ import annotations

import logging

import pytest

from deskbot.core import messages
from tests.bot.slack.slackreq import message_event, wait_answer, wait_until
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import BOT_USER

HELP = "C0HELP001"


def mention(bot, slack, text="How do I connect to the VPN from home?"):
    message = slack.user_message(HELP, f"<@{BOT_USER}> {text}")
    response = bot.sender.event(message_event(message, "app_mention"))
    assert response.status_code == 200
    return message


@pytest.mark.parametrize("method", ["reactions.add", "chat.startStream", "conversations.replies"])
def test_rate_limited_call_is_retried_and_the_answer_arrives(bot, slack, method):
    slack.rate_limit(method, times=1, retry_after=0)
    first = mention(bot, slack)
    if method == "conversations.replies":
        wait_answer(slack, HELP, first.ts)
        follow = slack.user_message(HELP, f"<@{BOT_USER}> and on a Mac?", thread_ts=first.ts)
        bot.sender.event(message_event(follow, "app_mention"))
        wait_answer(slack, HELP, first.ts, count=2)
    else:
        wait_answer(slack, HELP, first.ts)
    calls = slack.calls_to(method, ok_only=False)
    assert [c.status for c in calls[:2]] == [429, 200]


def test_model_failure_still_posts_the_wiki_passages_with_a_notice(make_bot, slack, model):
    bot = make_bot(llm_max_retries=0)
    model.push(FakeOpenAIChat.server_error(503))
    question = mention(bot, slack)
    (reply,) = wait_answer(slack, HELP, question.ts)
    assert reply.text.startswith(messages.EXTRACTIVE_INTRO)
    notice = reply.blocks[0]["elements"][0]["text"]
    assert notice == f":warning: {messages.MODEL_UNAVAILABLE}"
    assert any(
        "[1] VPN" in b["elements"][0]["text"] for b in reply.blocks if b["type"] == "context"
    )


class BrokenAnswerer:
    def answer(self, question, history=(), **kwargs):
        raise RuntimeError("index file is corrupt: /secret/path")


def test_error_while_answering_is_logged_and_apologised_for(make_bot, slack, caplog):
    bot = make_bot(answerer=BrokenAnswerer(), escalation_text="#it-help")
    with caplog.at_level(logging.ERROR, logger="bot.slack.answering"):
        question = mention(bot, slack)
        (reply,) = wait_answer(slack, HELP, question.ts)
    assert reply.text == messages.SLACK_APOLOGY.format(escalation="#it-help")
    assert "corrupt" not in reply.text
    assert "index file is corrupt" in caplog.text  # the detail stays in the log
    wait_until(lambda: slack.calls_to("reactions.remove"), what="the eyes to go")


def test_slack_refusing_the_answer_still_gets_an_apology(bot, slack):
    slack.stream_supported = False
    slack.fail("chat.postMessage", "invalid_blocks")
    question = mention(bot, slack)
    (reply,) = wait_answer(slack, HELP, question.ts)
    assert reply.text.startswith("Sorry, something went wrong")
    assert [c.error for c in slack.calls_to("chat.postMessage", ok_only=False)] == [
        "invalid_blocks",
        None,
    ]


def test_listener_error_is_logged_and_apologised_for_in_the_thread(bot, slack, caplog):
    bad = slack.user_message(HELP, f"<@{BOT_USER}> hello")
    event = message_event(bad, "app_mention", extra={"text": {"unexpected": "shape"}})
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        assert bot.sender.event(event).status_code == 200
        (reply,) = wait_answer(slack, HELP, bad.ts)
    assert reply.text.startswith("Sorry, something went wrong")
    assert "listener failed on a event_callback request" in caplog.text
    assert "TypeError" in caplog.text  # with the traceback
