"""The Adaptive Card under an answer: notice, numbered sources, "Ask a human". Pure builders.

Source titles come from the wiki, so they go into `TextRun`s (never parsed as
Markdown) and are linked (TextRun `selectAction`) only when the source's URL is
a web address. The button carries the answer's id only; the question stays in
the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.teams.text import Source, clip
from deskbot.core import messages

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
ESCALATE_VERB = "deskbot.escalate"
MAX_SOURCES = 10


def _run(text: str, **extra) -> dict:
    return {"type": "TextRun", "text": text, **extra}


def source_line(source: Source) -> dict:
    """`[n] Title › Section`, the title linked when it has a web address."""
    label = _run(source.name)
    if source.url:
        label["selectAction"] = {"type": "Action.OpenUrl", "url": source.url}
    return {"type": "RichTextBlock", "inlines": [_run(f"[{source.n}] ", weight="Bolder"), label]}


def build_answer_card(
    sources: Sequence[Source],
    *,
    answer_id: int | None,
    covered: bool,
    notice: str | None,
    escalation: str,
) -> dict:
    """The card attachment (contentType + content) for one answer."""
    body: list[dict] = []
    if notice:
        body.append(_note(f"⚠️ {clip(notice, 500)}", color="Warning"))
    if sources:
        body.append(_note(messages.TEAMS_SOURCES, weight="Bolder", subtle=False))
        body += [source_line(s) for s in list(sources)[:MAX_SOURCES]]
    elif not covered:
        body.append(_note(messages.TEAMS_NOT_COVERED_HINT.format(escalation=escalation)))
    content = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "actions": [escalate_action(answer_id)],
    }
    return {"contentType": CARD_TYPE, "content": content}


def escalate_action(answer_id: int | None) -> dict:
    return {
        "type": "Action.Submit",
        "title": messages.TEAMS_ASK_HUMAN,
        "data": {"verb": ESCALATE_VERB, "answer_id": answer_id},
    }


def _note(text: str, *, color: str = "Default", weight: str = "Default", subtle=True) -> dict:
    """A wrapped line of our own wording (settings and messages.py only, never wiki text)."""
    return {
        "type": "TextBlock",
        "text": text,
        "wrap": True,
        "size": "Small",
        "color": color,
        "weight": weight,
        "isSubtle": subtle,
    }


def escalation_answer_id(value: object) -> int | None:
    """The answer id an "Ask a human" submit carries, or None when it is not a number."""
    raw = value.get("answer_id") if isinstance(value, dict) else None
    try:
        return int(raw) if raw is not None and not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        return None
