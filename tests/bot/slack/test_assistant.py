"""The Messages tab (assistant threads): suggested prompts, status, title, streamed answers."""

from __future__ import annotations

from deskbot.core import messages
from tests.bot.slack.conftest import ANSWER
from tests.bot.slack.slackreq import message_event, thread_started_event, wait_answer, wait_until

DM = "D0DM00001"


def test_opening_the_tab_greets_and_suggests_prompts(bot, slack):
    root = slack.user_message(DM, "")
    assert bot.sender.event(thread_started_event(DM, root.ts)).status_code == 200

    prompts = wait_until(lambda: slack.calls_to("assistant.threads.setSuggestedPrompts"))
    args = prompts[0].args
    assert (args["channel_id"], args["thread_ts"]) == (DM, root.ts)
    assert args["title"] == messages.SLACK_PROMPTS_TITLE
    assert [p["message"] for p in args["prompts"]] == [
        m for _, m in messages.SLACK_SUGGESTED_PROMPTS
    ]
    assert [m.text for m in slack.bot_replies(DM, root.ts)] == [messages.SLACK_GREETING]


def test_message_in_the_tab_gets_status_title_and_a_streamed_answer(bot, slack, model):
    root = slack.user_message(DM, "")
    bot.sender.event(thread_started_event(DM, root.ts))
    wait_until(lambda: slack.calls_to("assistant.threads.setSuggestedPrompts"))
    question = slack.user_message(DM, "How do I connect to the VPN from home?", thread_ts=root.ts)
    response = bot.sender.event(message_event(question))
    assert response.status_code == 200 and response.elapsed.total_seconds() < 3

    replies = wait_answer(slack, DM, root.ts, count=2)
    assert replies[-1].text == ANSWER
    status = slack.calls_to("assistant.threads.setStatus")[0]
    assert status.args["status"] == messages.SLACK_WORKING
    assert status.at < slack.calls_to("chat.startStream")[0].at
    title = slack.calls_to("assistant.threads.setTitle")[0].args["title"]
    assert title == "How do I connect to the VPN from home?"
    assert not slack.calls_to("reactions.add")  # the status is the sign here


def test_second_message_in_the_tab_uses_the_thread_and_keeps_the_title(bot, slack, model):
    root = slack.user_message(DM, "")
    first = slack.user_message(DM, "How do I connect to the VPN from home?", thread_ts=root.ts)
    bot.sender.event(message_event(first))
    wait_answer(slack, DM, root.ts)
    second = slack.user_message(DM, "and on a Mac?", thread_ts=root.ts)
    bot.sender.event(message_event(second))
    wait_answer(slack, DM, root.ts, count=2)

    assert len(slack.calls_to("assistant.threads.setTitle")) == 1
    rewrite = model.chat_requests()[-2]["messages"][-1]["content"]
    assert "User: How do I connect to the VPN from home?" in rewrite


def test_context_change_is_acknowledged_without_api_calls(bot, slack):
    event = thread_started_event(DM, "1700000000.000100")
    event["type"] = "assistant_thread_context_changed"
    assert bot.sender.event(event).status_code == 200
    assert slack.methods() == ["auth.test"]  # Bolt learns who it is; nothing else


def test_dm_thread_that_is_no_assistant_thread_gets_a_reaction_instead(bot, slack):
    slack.fail("assistant.threads.setStatus", "invalid_thread_ts")
    root = slack.user_message(DM, "old DM question")
    question = slack.user_message(DM, "How do I connect to the VPN from home?", thread_ts=root.ts)
    bot.sender.event(message_event(question))
    (reply,) = wait_answer(slack, DM, root.ts)
    assert reply.text == ANSWER
    assert slack.calls_to("reactions.add")[0].args["timestamp"] == question.ts
    wait_until(lambda: slack.calls_to("reactions.remove"), what="the reaction to go")
