"""Answers built without a model: the best passages quoted, and the "not covered" reply.

Quotes are trimmed to whole sentences around the sentence that best matches the
question, so a reader never sees a passage cut mid-sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.citations import Citation, citation_for, label
from bot.retrieve import Hit
from bot.terms import key_terms
from deskbot.core import messages

# A sentence ends at . ! ? followed by space; not after common abbreviations.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bapprox\.)\s+(?=\S)"
)


# Text that addresses a model rather than a reader is never quoted as an answer.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,30}\b(instructions?|rules|prompt)\b|system prompt",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"\s*(?:\d{1,3}[.)]|[-*+•])\s+")


def sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, separator after it): lines stay lines, so lists keep their shape."""
    units: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line.strip():
            continue
        marker = _LIST_MARKER.match(line)  # "4. Sign in." is one sentence, not "4." + …
        lead, body = (marker.group(0), line[marker.end() :]) if marker else ("", line)
        parts = [p for p in _SENTENCE_END.split(body) if p.strip()] or [""]
        parts[0] = lead + parts[0]
        units.extend((part, " ") for part in parts[:-1])
        units.append((parts[-1], "\n"))
    return units


def _quotable(text: str) -> list[tuple[str, str]]:
    return [u for u in sentences(text) if not _INSTRUCTION.search(u[0])]


def _best_sentence(terms: set[str], units: Sequence[tuple[str, str]]) -> tuple[int, int]:
    """(index, score) of the sentence sharing the most of `terms` (the first of equals)."""
    scores = [len(terms & set(key_terms(unit[0]))) for unit in units]
    best = max(range(len(units)), key=lambda i: (scores[i], -i))
    return best, scores[best]


def best_excerpt(question: str, text: str, max_chars: int = 420) -> str:
    """Whole sentences of `text`, starting at the one that best matches the question."""
    units = _quotable(text)
    if not units:
        return ""
    best, _ = _best_sentence(set(key_terms(question)), units)
    picked = [units[best]]
    size = len(units[best][0])
    for unit in units[best + 1 :]:
        if size + len(unit[0]) + 1 > max_chars:
            break
        picked.append(unit)
        size += len(unit[0]) + 1
    excerpt = "".join(s + sep for s, sep in picked).strip()
    if len(excerpt) > 2 * max_chars:  # one enormous "sentence": cut at a word
        excerpt = excerpt[: 2 * max_chars].rsplit(" ", 1)[0] + " …"
    return excerpt


def page_link(title: str, section: str, url: str) -> str:
    name = label(title, section)
    return f"[{name}]({url})" if url else name


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def _section(hit: Hit) -> tuple[str, str, str]:
    return (hit.source, hit.doc_id, hit.section)


def distinct_pages(hits: Sequence[Hit], limit: int) -> list[Hit]:
    """The best hit of each page section, best first, at most `limit`."""
    seen: set[tuple[str, str, str]] = set()
    chosen: list[Hit] = []
    for hit in hits:
        key = _section(hit)
        if key not in seen:
            seen.add(key)
            chosen.append(hit)
        if len(chosen) == limit:
            break
    return chosen


def quotable_passages(question: str, hits: Sequence[Hit], limit: int) -> list[Hit]:
    """One passage per page section, sections in retrieval order, at most `limit`: of a
    section's passages, the one whose best sentence shares the most key terms with the
    question (the best-ranked of equals). A section's steps often sit in a passage ranked
    below a shorter one beside them; a quote should show the steps."""
    terms = set(key_terms(question))

    def evidence(hit: Hit) -> int:
        units = _quotable(hit.text)
        return _best_sentence(terms, units)[1] if units else 0

    sections: dict[tuple[str, str, str], list[Hit]] = {}
    for hit in hits:
        sections.setdefault(_section(hit), []).append(hit)
    chosen = [max(passages, key=evidence) for passages in sections.values()]  # first of equals
    return chosen[:limit]


def extractive_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    max_passages: int = 3,
    max_chars: int = 360,
    intro: str = messages.EXTRACTIVE_INTRO,
) -> tuple[str, list[Citation]]:
    """Quote the best passages, each cited [n] with a link to its page.

    The best passage may use twice the budget: it usually holds the steps asked for.
    `intro` is the opening line, in the asker's language.
    """
    blocks = [intro]
    citations: list[Citation] = []
    for hit in quotable_passages(question, hits, max_passages):
        budget = max_chars * 2 if not citations else max_chars
        excerpt = best_excerpt(question, hit.text, budget)
        if not excerpt:
            continue
        citation = citation_for(len(citations) + 1, hit)
        citations.append(citation)
        heading = page_link(hit.title, hit.section, hit.url)
        blocks.append(f"**{heading}** [{citation.n}]\n{quote(excerpt)}")
    return "\n\n".join(blocks), citations


def not_covered_text(
    hits: Sequence[Hit],
    escalation: str,
    *,
    limit: int = 3,
    sentence: str | None = None,
    heading: str = messages.CLOSEST_PAGES,
) -> str:
    """The honest reply when nothing relevant was found, with the closest pages if any.

    `sentence` and `heading` carry the wording in the asker's language (default English).
    """
    text = sentence or messages.NOT_COVERED.format(escalation=escalation)
    closest = distinct_pages(hits, limit)
    if not closest:
        return text
    lines = [f"- {page_link(h.title, h.section, h.url)}" for h in closest]
    return "\n\n".join([text, heading + "\n" + "\n".join(lines)])
