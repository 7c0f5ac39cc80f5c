"""Thread history in long threads: every page of conversations.replies, the newest turns kept."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.prompts import REWRITE_SYSTEM
from bot.slack.history import HISTORY_CHARS, MAX_TURNS, PAGE, read_history, within_budget
from deskbot.core.conversations import Turn
from tests.bot.slack.slackreq import USER, answers, message_event, wait_answer
from tests.fakes.slack import BOT_ID, BOT_TOKEN, BOT_USER, Message

HELP = "C0HELP001"


def long_thread(slack, replies: int) -> Message:
    """A thread about expense receipts for `replies - 2` replies, then a VPN question and answer."""
    root = slack.user_message(HELP, f"<@{BOT_USER}> How do I file expense receipts?")
    for n in range(replies - 2):
        if n % 2:
            slack._bot_message({"channel": HELP, "thread_ts": root.ts, "text": f"Receipts: {n}"})
        else:
            slack.user_message(HELP, f"expense receipt question {n}", thread_ts=root.ts)
    slack.user_message(HELP, "How do I connect to the VPN from home?", thread_ts=root.ts)
    slack._bot_message(
        {"channel": HELP, "thread_ts": root.ts, "text": "Install Northwind Connect."}
    )
    return root


def test_follow_up_in_a_300_reply_thread_is_read_from_the_newest_turns(bot, slack, model):
    root = long_thread(slack, 299)
    before = len(answers(slack, HELP, root.ts))
    follow = slack.user_message(HELP, f"<@{BOT_USER}> and from abroad?", thread_ts=root.ts)
    bot.sender.event(message_event(follow, "app_mention"))
    wait_answer(slack, HELP, root.ts, count=before + 1)

    pages = slack.calls_to("conversations.replies")
    assert len(pages) == 2 and pages[1].args["cursor"]
    rewrite = next(
        r for r in model.chat_requests() if r["messages"][0]["content"] == REWRITE_SYSTEM
    )
    prompt = rewrite["messages"][-1]["content"]
    assert "User: How do I connect to the VPN from home?" in prompt
    assert "Assistant: Install Northwind Connect." in prompt
    assert "Last message: and from abroad?" in prompt
    answer = model.chat_requests()[-1]["messages"]  # system, the thread's newest turns, question
    assert answer[-3:-1] == [
        {"role": "user", "content": "How do I connect to the VPN from home?"},
        {"role": "assistant", "content": "Install Northwind Connect."},
    ]


def test_read_history_pages_like_slack_and_keeps_the_newest_turns(slack):
    root = long_thread(slack, 450)
    last = slack.user_message(HELP, "and from abroad?", thread_ts=root.ts)
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)

    turns = read_history(client, HELP, root.ts, last.ts, BOT_USER)

    calls = slack.calls_to("conversations.replies")
    assert [c.args.get("limit") for c in calls] == [str(PAGE)] * 3
    assert [bool(c.args.get("cursor")) for c in calls] == [False, True, True]
    assert len(turns) == MAX_TURNS
    assert turns[-2:] == [
        Turn("user", "How do I connect to the VPN from home?"),
        Turn("assistant", "Install Northwind Connect."),
    ]


def test_read_history_stops_at_the_question_and_skips_other_bots(slack):
    root = slack.user_message(HELP, f"<@{BOT_USER}> first question")
    slack.messages[HELP].append(
        Message(HELP, "1700009999.000001", "jira bot says hi", "U0JIRA", "B0JIRA", root.ts)
    )
    asked = slack.user_message(HELP, "second question", thread_ts=root.ts)
    slack.user_message(HELP, "written after the question", thread_ts=root.ts)
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    turns = read_history(client, HELP, root.ts, asked.ts, BOT_USER)
    assert turns == [Turn("user", "first question")]
    assert BOT_ID and USER  # the fake's own ids are distinct from the other bot's


def test_history_keeps_the_newest_turns_that_fit_the_budget():
    turns = [Turn("user", f"{n} " + "x" * 1_998) for n in range(10)]
    kept = within_budget(turns)
    assert kept == turns[-(HISTORY_CHARS // 2_000) :]
    assert within_budget([Turn("user", "y" * 50_000)]) == [Turn("user", "y" * 50_000)]
