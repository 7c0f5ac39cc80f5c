"""A thread's earlier messages as conversation turns, read with conversations.replies.

Slack returns a thread oldest first, a page at a time (`has_more`, and
`response_metadata.next_cursor` for the next page), so the newest turns, the ones a
follow-up refers to, are on the last page: every page is read, and only the newest
turns are kept on the way.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator

from slack_sdk import WebClient

from bot.prompts import TURN_CHARS
from bot.slack.access import ANSWERED_SUBTYPES
from bot.slack.mrkdwn import from_slack
from deskbot.core.conversations import Turn

log = logging.getLogger(__name__)

MAX_TURNS = 12  # the most recent turns handed to the Answerer
HISTORY_CHARS = 12_000  # the newest turns that fit in this many characters
PAGE = 200  # Slack recommends at most 200 a page
MAX_PAGES = 50  # 10,000 replies; a thread longer than that is read no further


def read_history(
    client: WebClient, channel: str, thread_ts: str, before_ts: str, bot_user_id: str | None
) -> list[Turn]:
    """The newest turns of the thread before message `before_ts`, oldest first."""
    recent: deque[Turn] = deque(maxlen=MAX_TURNS)
    newest = 0.0
    for page in _pages(client, channel, thread_ts):
        fresh = [m for m in page if _ts(m) > newest]  # a page may repeat the thread's parent
        if fresh:
            newest = max(_ts(m) for m in fresh)
        recent.extend(turns_from(fresh, before_ts, bot_user_id))
        if newest >= float(before_ts):
            break
    return within_budget(list(recent))


def _pages(client: WebClient, channel: str, thread_ts: str) -> Iterator[list[dict]]:
    cursor = None
    for _ in range(MAX_PAGES):
        response = client.conversations_replies(
            channel=channel, ts=thread_ts, limit=PAGE, cursor=cursor
        )
        yield response.get("messages") or []
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not response.get("has_more") or not cursor:
            return
    log.warning(
        "thread %s in %s has over %d replies; read no further", thread_ts, channel, PAGE * MAX_PAGES
    )


def _ts(message: dict) -> float:
    try:
        return float(message.get("ts") or 0)
    except ValueError:
        return 0.0


def turns_from(messages: list[dict], before_ts: str, bot_user_id: str | None) -> list[Turn]:
    """Pure part of read_history: pick, order and convert the messages."""
    turns = []
    for message in sorted(messages, key=_ts):
        if _ts(message) >= float(before_ts):
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


def within_budget(turns: list[Turn]) -> list[Turn]:
    """The newest turns whose (prompt-trimmed) text fits HISTORY_CHARS; at least the last one."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(turns):
        used += min(len(turn.text), TURN_CHARS)
        if kept and used > HISTORY_CHARS:
            break
        kept.append(turn)
    return kept[::-1]
