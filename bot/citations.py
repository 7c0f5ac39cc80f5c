"""Citations: the [n] markers an answer uses, checked against the passages given.

The model sees passages numbered 1..N. Its reply may cite them as `[2]`,
`[1, 3]` or `[1][3]`. Numbers outside 1..N are dropped from the text; the rest
are renumbered by first appearance, and passages from the same page section
share one number, so the reader sees a short, gapless list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.retrieve import Hit

# [1], [1, 2], [1,2,3]; not a Markdown link text such as [1](http://…)
MARKER = re.compile(r"\s?\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\](?!\()")


def label(title: str, section: str) -> str:
    """How a source is named to the reader: `Title › Section`, or the title alone."""
    return f"{title} › {section}" if section else title


@dataclass(frozen=True)
class Citation:
    n: int
    title: str
    section: str
    url: str
    source: str
    doc_id: str

    def as_json(self) -> dict:
        return {"n": self.n, "title": self.title, "url": self.url, "section": self.section}

    @property
    def label(self) -> str:
        return label(self.title, self.section)


def is_web_address(url: str) -> bool:
    """Whether `url` opens in a browser (http or https with a host).

    A chat client shows a source without one (a `file://` path of a folder ingested
    without a base URL) as its title alone: the link would not open and would show a
    path on the server.
    """
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def citation_for(n: int, hit: Hit) -> Citation:
    return Citation(
        n=n,
        title=hit.title,
        section=hit.section,
        url=hit.url,
        source=hit.source,
        doc_id=hit.doc_id,
    )


def _page_key(hit: Hit) -> tuple[str, str, str, str]:
    return (hit.source, hit.doc_id, hit.section, hit.url)


def resolve_citations(text: str, passages: Sequence[Hit]) -> tuple[str, list[Citation]]:
    """Validate and renumber the [n] markers of `text`; unknown numbers are removed.

    Returns the rewritten text and its citations in order of first use. An
    empty citation list means the answer is not grounded in any passage.
    """
    numbers: dict[tuple, int] = {}
    citations: list[Citation] = []

    def renumber(match: re.Match) -> str:
        markers: list[str] = []
        for part in match.group(1).split(","):
            index = int(part) - 1
            if not 0 <= index < len(passages):
                continue
            key = _page_key(passages[index])
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(citation_for(numbers[key], passages[index]))
            marker = f"[{numbers[key]}]"
            if marker not in markers:
                markers.append(marker)
        if not markers:
            return ""
        lead = match.group(0)[0] if match.group(0)[0].isspace() else ""
        return lead + "".join(markers)

    return MARKER.sub(renumber, text).strip(), citations


def markers_in(text: str) -> list[str]:
    """Every citation marker as written: `[1]`, `[2]` … (lists expanded)."""
    found: list[str] = []
    for match in MARKER.finditer(text):
        found.extend(f"[{int(part)}]" for part in match.group(1).split(","))
    return found
