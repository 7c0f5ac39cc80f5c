"""Text in and out of Teams: questions cleaned, answers made safe, sources described.

Teams renders a bot message's text as Markdown with inline HTML, and turns
`<at>Name</at>` into a mention when an entity names it. Wiki and model text is
hostile: every `<` is written as `&lt;`, so no tag (mention, image, link) it
contains is ever rendered; Markdown (bold, lists, links) still works.
Names and titles shown in cards go into TextRuns, which Teams does not parse.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.citations import is_web_address

TAG = re.compile(r"<[^>]{0,200}>")
NAME_CHARS = 80  # a citation's title as Teams shows it
ABSTRACT_CHARS = 160  # a citation's hover text
MESSAGE_CHARS = 24_000  # Teams refuses messages over ~28 KB


def plain_question(text: str | None) -> str:
    """A user's message as plain text: tags (other people's mentions, formatting) removed."""
    text = TAG.sub(" ", text or "")
    return " ".join(html.unescape(text).split())


def safe_markdown(text: str) -> str:
    """Model or wiki Markdown that Teams cannot turn into a mention or an HTML element."""
    text = text.replace("\r", "")
    if len(text) > MESSAGE_CHARS:
        text = text[: MESSAGE_CHARS - 1] + "…"
    return text.replace("<", "&lt;")


def safe_name(text: str) -> str:
    """A person's display name inside `<at>…</at>` (HTML-escaped, one line)."""
    return html.escape(" ".join((text or "").split()), quote=False)[:100] or "Someone"


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Source:
    """One numbered source as Teams shows it: citation entity and card line."""

    n: int
    name: str  # "Title › Section", clipped
    url: str | None  # None unless a web address
    abstract: str  # the cited passage, clipped


def sources_of(answer) -> list[Source]:
    """The answer's citations, each with the text of the passage it points to."""
    sources = []
    for citation in answer.citations:
        passage = next(
            (
                h.text
                for h in answer.passages
                if (h.doc_id, h.section, h.url) == (citation.doc_id, citation.section, citation.url)
            ),
            "",
        )
        sources.append(
            Source(
                n=citation.n,
                name=clip(citation.label, NAME_CHARS),
                url=citation.url if is_web_address(citation.url) else None,
                abstract=clip(passage or citation.label, ABSTRACT_CHARS),
            )
        )
    return sources
