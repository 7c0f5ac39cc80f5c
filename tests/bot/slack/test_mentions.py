"""@mentions, DMs and thread follow-ups, end to end: signed HTTP in, fake Slack out."""

from __future__ import annotations

import pytest

from deskbot.core import messages
from tests.bot.slack.conftest import ANSWER
from tests.bot.slack.slackreq import answers, message_event, wait_answer, wait_until
from tests.fakes.slack import BOT_USER

HELP = "C0HELP001"
QUESTION = f"<@{BOT_USER}> How do I connect to the VPN from home?"


def ask(bot, slack, text=QUESTION, channel=HELP, thread_ts=None, kind="app_mention"):
    message = slack.user_message(channel, text, thread_ts=thread_ts)
    response = bot.sender.event(message_event(message, kind))
    assert response.status_code == 200
    assert response.elapsed.total_seconds() < 3
    return message


def test_mention_gets_eyes_then_a_threaded_answer_with_sources(bot, slack, model):
    question = ask(bot, slack)
    reply = wait_answer(slack, HELP, question.ts)[0]

    added = slack.calls_to("reactions.add")
    assert [(c.args["name"], c.args["timestamp"]) for c in added] == [("eyes", question.ts)]
    assert added[0].at < slack.calls_to("chat.startStream")[0].at
    assert reply.thread_ts == question.ts
    assert reply.text == ANSWER  # streamed as Markdown, exactly what the Answerer wrote
    sources = next(b for b in reply.blocks if b["type"] == "context")["elements"][0]["text"]
    # the sample wiki has no base URL: its pages are named, not linked to a server path
    assert sources.startswith(f"*{messages.SLACK_SOURCES}*\n[1] VPN: Northwind Connect")
    assert "file:" not in sources and "<" not in sources
    assert "Question: How do I connect to the VPN from home?" in str(model.chat_requests()[-1])
    wait_until(lambda: slack.calls_to("reactions.remove"), what="the eyes to go")
    assert bot.store.feedback_counts()["answers"] == 1


def test_stream_carries_recipient_and_the_buttons(bot, slack):
    question = ask(bot, slack)
    reply = wait_answer(slack, HELP, question.ts)[0]
    start = slack.calls_to("chat.startStream")[0].args
    assert (start["recipient_user_id"], start["recipient_team_id"]) == ("U0USER01", "T0000001")
    stop = slack.calls_to("chat.stopStream")[0].args
    actions = next(b for b in stop["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "deskbot_feedback_up",
        "deskbot_feedback_down",
        "deskbot_escalate",
    ]
    assert reply.blocks == stop["blocks"]


def test_direct_message_is_answered_in_its_thread(bot, slack):
    question = ask(bot, slack, "where is the vpn guide?", channel="D0DM00001", kind="message")
    reply = wait_answer(slack, "D0DM00001", question.ts)[0]
    assert reply.text == ANSWER
    assert slack.calls_to("reactions.add")[0].args["channel"] == "D0DM00001"


def test_follow_up_mention_reads_the_thread_as_history(bot, slack, model):
    first = ask(bot, slack)
    wait_answer(slack, HELP, first.ts)
    follow = ask(bot, slack, f"<@{BOT_USER}> and on a Mac?", thread_ts=first.ts)
    wait_answer(slack, HELP, first.ts, count=2)

    replies = slack.calls_to("conversations.replies")
    assert [(c.args["channel"], c.args["ts"]) for c in replies] == [(HELP, first.ts)]
    rewrite, answer = model.chat_requests()[-2:]
    assert "User: How do I connect to the VPN from home?" in rewrite["messages"][-1]["content"]
    assert "Last message: and on a Mac?" in rewrite["messages"][-1]["content"]
    roles = [m["role"] for m in answer["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert follow.ts not in str(answer["messages"][1:3])


@pytest.mark.parametrize("followups, answered", [(True, True), (False, False)])
def test_thread_replies_without_mention_follow_the_setting(make_bot, slack, followups, answered):
    bot = make_bot(answer_thread_followups=followups)
    first = ask(bot, slack)
    wait_answer(slack, HELP, first.ts)
    ask(bot, slack, "thanks, and on a Mac?", thread_ts=first.ts, kind="message")
    if answered:
        wait_answer(slack, HELP, first.ts, count=2)
    else:
        other = ask(bot, slack, "unrelated top-level chatter", kind="message")
        assert not slack.bot_replies(HELP, other.ts)
        assert len(answers(slack, HELP, first.ts)) == 1


def test_thread_reply_in_a_thread_the_bot_never_joined_is_ignored(make_bot, slack):
    bot = make_bot(answer_thread_followups=True)
    root = slack.user_message(HELP, "lunch?")
    ask(bot, slack, "pizza!", thread_ts=root.ts, kind="message")
    marker = ask(bot, slack)  # a later mention proves the earlier event was processed
    wait_answer(slack, HELP, marker.ts)
    assert not slack.bot_replies(HELP, root.ts)


def test_mention_in_a_followup_thread_comes_twice_but_is_answered_once(make_bot, slack):
    bot = make_bot(answer_thread_followups=True)
    first = ask(bot, slack)
    wait_answer(slack, HELP, first.ts)
    follow = slack.user_message(HELP, f"<@{BOT_USER}> and on a Mac?", thread_ts=first.ts)
    bot.sender.event(message_event(follow, "message"))
    bot.sender.event(message_event(follow, "app_mention"))
    wait_answer(slack, HELP, first.ts, count=2)
    marker = ask(bot, slack)
    wait_answer(slack, HELP, marker.ts)
    assert len(answers(slack, HELP, first.ts)) == 2


def test_empty_mention_gets_a_hint(bot, slack):
    question = ask(bot, slack, f"<@{BOT_USER}>")
    reply = wait_answer(slack, HELP, question.ts)[0]
    assert reply.text == messages.SLACK_EMPTY_QUESTION


def test_group_dm_thread_reply_without_mention_is_answered_when_opted_in(make_bot, slack):
    """message.mpim events (see manifest.yml) carry channel_type "mpim"."""
    bot = make_bot(answer_thread_followups=True)
    group_dm = "G0MPIM001"
    first = ask(bot, slack, channel=group_dm)
    wait_answer(slack, group_dm, first.ts)
    follow = slack.user_message(group_dm, "thanks, and on a Mac?", thread_ts=first.ts)
    event = message_event(follow, "message", extra={"channel_type": "mpim"})
    assert bot.sender.event(event).status_code == 200
    wait_answer(slack, group_dm, first.ts, count=2)
