"""A page's summary: its first paragraph of prose, carried into every chunk's embedding text.

A passage deep inside a long page ("--keep-index: all changes already added to the index
are left intact") rarely says what the page is about; the page's opening sentence does
("git-stash - Stash the changes in a dirty working directory away"). Repeating it (cut to a
few dozen tokens) in each chunk's embedding text lets a question find the page through any
of its passages. Navigation lines, lists, tables, code and headings-only lines are skipped:
the summary is the first paragraph with at least MIN_WORDS words that starts as prose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.document import Section

MIN_WORDS = 6
MAX_WORDS = 60  # cut again to the chunker's token allowance (SUMMARY_TOKENS)
_NOT_PROSE = re.compile(r"\s*(?:\d{1,3}[.)]\s|[-*+•>|]|```|~~~)")


def page_summary(sections: Sequence[Section]) -> str:
    """The first prose paragraph of the page, at most MAX_WORDS words; "" if none."""
    for section in sections:
        for paragraph in section.text.split("\n\n"):
            paragraph = paragraph.strip()
            if not paragraph or _NOT_PROSE.match(paragraph):
                continue
            words = paragraph.split()
            if len(words) >= MIN_WORDS:
                return " ".join(words[:MAX_WORDS])
    return ""


def fit_summary(counter, sections: Sequence[Section], max_tokens: int) -> tuple[str, int]:
    """The page summary cut to `max_tokens` of the model's tokens, and its line's count."""
    summary = page_summary(sections)
    if not summary or max_tokens < 8:
        return "", 0
    summary = counter.truncate(summary, max_tokens - 2)
    return summary, counter.count(summary + "\n")


def holds(text: str, summary: str) -> bool:
    """True when `text` already contains the summary (the page's opening chunk)."""
    opening = " ".join(summary.rstrip("…").split()[:8])
    return bool(opening) and opening in " ".join(text.split())
