"""A thread's earlier messages as conversation turns, read with conversations.replies."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack.access import ANSWERED_SUBTYPES
from bot.slack.mrkdwn import from_slack
from deskbot.core.conversations import Turn

MAX_TURNS = 12  # the most recent turns handed to the Answerer
PAGE = 200


def read_history(
    client: WebClient, channel: str, thread_ts: str, before_ts: str, bot_user_id: str | None
) -> list[Turn]:
    """Turns of the thread before message `before_ts`, oldest first (the bot is "assistant")."""
    response = client.conversations_replies(channel=channel, ts=thread_ts, limit=PAGE)
    return turns_from(response.get("messages") or [], before_ts, bot_user_id)


def turns_from(messages: list[dict], before_ts: str, bot_user_id: str | None) -> list[Turn]:
    """Pure part of read_history: pick, order and convert the messages."""
    turns = []
    for message in sorted(messages, key=lambda m: float(m.get("ts") or 0)):
        if float(message.get("ts") or 0) >= float(before_ts):
            break
        if message.get("subtype") not in ANSWERED_SUBTYPES:
            continue
        ours = bool(bot_user_id) and message.get("user") == bot_user_id
        if message.get("bot_id") and not ours:
            continue
        text = from_slack(message.get("text") or "", bot_user_id)
        if text:
            turns.append(Turn("assistant" if ours else "user", text))
    return turns[-MAX_TURNS:]
