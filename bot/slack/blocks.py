"""Block Kit for the bot's messages: pure `build_*` functions, no Slack calls.

Slack's limits shape the answer: message `text` at most 40,000 characters,
a section block's text at most 3,000, at most 50 blocks a message. Long
answers become several section blocks and, past a size, several messages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.citations import label
from bot.slack.mrkdwn import escape, fill, link
from bot.slack.render import to_mrkdwn
from bot.slack.split import split_text
from deskbot.core import messages

TEXT_LIMIT = 40_000
SECTION_LIMIT = 3_000
MAX_BLOCKS = 50
SECTION_CHARS = 2_900  # a section's share of an answer, under SECTION_LIMIT
MESSAGE_CHARS = 12_000  # answer text per message: readable, far under TEXT_LIMIT
MAX_SOURCES = 10
ESCALATED_CHARS = 1_500  # of the question, quoted in the escalation post (under SECTION_LIMIT)

FEEDBACK_UP = "deskbot_feedback_up"
FEEDBACK_DOWN = "deskbot_feedback_down"
ESCALATE = "deskbot_escalate"
ACTIONS_BLOCK = "deskbot_actions"


@dataclass(frozen=True)
class SlackMessage:
    text: str  # notification / accessibility text
    blocks: list[dict]


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def build_sources_block(citations: Sequence, *, covered: bool, escalation: str) -> dict | None:
    """`[n] <url|Title › Section>` lines in one compact block; a plain hint when not covered."""
    if not citations:
        if covered:
            return None
        return context(fill(messages.SLACK_NOT_COVERED_HINT, escalation=escalation))
    lines = []
    for citation in list(citations)[:MAX_SOURCES]:
        name = label(citation.title, citation.section)
        name = name if len(name) <= 150 else name[:149] + "…"
        lines.append(f"[{citation.n}] {link(citation.url, name)}")  # no web address: no link
    return context(f"*{messages.SLACK_SOURCES}*\n" + "\n".join(lines))


def build_actions_block(answer_id: int | None, question_ts: str) -> dict:
    """👍 / 👎 feedback and "Ask a human"; buttons carry ids only.

    The question stays in the store (its answer's row): a button value holds at most
    2,000 characters, which a JSON-escaped question in Japanese or emoji exceeds long
    before its own length does.
    """
    rating = str(answer_id or "")
    escalate = json.dumps({"a": answer_id, "ts": question_ts})
    return {
        "type": "actions",
        "block_id": ACTIONS_BLOCK,
        "elements": [
            _button(f"👍 {messages.SLACK_FEEDBACK_UP}", FEEDBACK_UP, rating),
            _button(f"👎 {messages.SLACK_FEEDBACK_DOWN}", FEEDBACK_DOWN, rating),
            _button(messages.SLACK_ASK_HUMAN, ESCALATE, escalate),
        ],
    }


def _button(text: str, action_id: str, value: str) -> dict:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }


def parse_escalation(value: str) -> dict:
    """The Ask-a-human button's value -> {"a": answer id or None, "ts": question ts}."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    answer_id = data.get("a")
    return {
        "a": answer_id if isinstance(answer_id, int) and not isinstance(answer_id, bool) else None,
        "ts": str(data.get("ts") or ""),
    }


def build_answer_footer(
    answer, *, answer_id: int | None, question_ts: str, escalation: str
) -> list[dict]:
    """Blocks under an answer: the notice (if any), the sources, the buttons."""
    blocks = []
    if getattr(answer, "notice", None):
        blocks.append(context(f":warning: {escape(answer.notice)}"))
    covered = getattr(answer, "covered", bool(answer.citations) or answer.grounded)
    sources = build_sources_block(answer.citations, covered=covered, escalation=escalation)
    if sources:
        blocks.append(sources)
    blocks.append(build_actions_block(answer_id, question_ts))
    return blocks


def build_answer_messages(answer, footer: list[dict]) -> list[SlackMessage]:
    """The answer as one or more messages of section blocks; the footer goes on the last."""
    parts = split_text(to_mrkdwn(answer.text), SECTION_CHARS) or [
        escape(messages.SLACK_ANSWER_FALLBACK)
    ]
    groups: list[list[str]] = [[]]
    room = MAX_BLOCKS - len(footer)
    for part in parts:
        group = groups[-1]
        if group and (sum(map(len, group)) + len(part) > MESSAGE_CHARS or len(group) >= room):
            groups.append([])
        groups[-1].append(part)
    result = []
    for n, group in enumerate(groups):
        blocks = [section(part) for part in group]
        if n == len(groups) - 1:
            blocks += footer
        result.append(SlackMessage("\n\n".join(group)[:TEXT_LIMIT], blocks))
    return result


def build_escalation_message(
    question: str, *, user: str, permalink: str | None, usergroup: str | None
) -> SlackMessage:
    """The post in the escalation channel: who asked what, and a link to the thread."""
    question = question or "?"
    if len(question) > ESCALATED_CHARS:
        question = question[: ESCALATED_CHARS - 1] + "…"
    quoted = "\n".join("> " + escape(line) for line in question.splitlines()[:20])
    text = messages.SLACK_ESCALATION_POST.format(
        tag=f"<!subteam^{escape(usergroup)}> " if usergroup else "",
        user=escape(user),
        question=quoted,
        link=fill(messages.SLACK_ESCALATION_LINK, url=permalink) if permalink else "",
    ).strip()
    return SlackMessage(text, [section(text)])


def build_suggested_prompts() -> list[dict]:
    return [{"title": t, "message": m} for t, m in messages.SLACK_SUGGESTED_PROMPTS]
