"""Answers without a model: whole sentences, cited, linked; the honest "not covered"."""

from __future__ import annotations

import pytest

from bot.extractive import best_excerpt, extractive_answer, not_covered_text
from deskbot.core import messages
from tests.bot.conftest import PAGES

TEXT = (
    "Northwind Connect is our VPN app. It uses WireGuard, e.g. on laptops. "
    "On a Mac, click the menu bar icon. The session lasts 12 hours! "
    "Afterwards sign in again.\n- Step one: open it.\n- Step two: connect."
)


@pytest.mark.parametrize(
    "question, starts, max_chars",
    [
        ("How long does the session last?", "The session lasts 12 hours!", 420),
        ("mac menu bar", "On a Mac, click the menu bar icon.", 420),
        ("unrelated words", "Northwind Connect is our VPN app.", 420),
        ("wireguard", "It uses WireGuard, e.g. on laptops.", 420),  # "e.g." does not end it
    ],
)
def test_excerpt_starts_at_best_sentence(question, starts, max_chars):
    excerpt = best_excerpt(question, TEXT, max_chars)
    assert excerpt.startswith(starts)


@pytest.mark.parametrize("max_chars", [40, 80, 120, 200])
def test_excerpt_is_whole_sentences_within_budget(max_chars):
    excerpt = best_excerpt("VPN app", TEXT, max_chars)
    assert excerpt[-1] in ".!?:" or excerpt.endswith("connect.")
    assert len(excerpt) <= max(max_chars, len("Northwind Connect is our VPN app."))
    # each line of the excerpt is a whole sentence sequence taken from the text
    for line in excerpt.splitlines():
        assert line in TEXT


def test_extractive_answer_quotes_cites_and_links():
    text, citations = extractive_answer("expenses receipts", [PAGES[2], PAGES[0]])
    assert text.startswith(messages.EXTRACTIVE_INTRO)
    assert "**[Expenses](https://wiki.example/expenses)** [1]" in text
    assert "> Submit expenses in Personio within 30 days." in text
    assert "[VPN › Windows](https://wiki.example/vpn#windows)** [2]" in text
    assert [c.n for c in citations] == [1, 2]


def test_extractive_answer_one_quote_per_section():
    twin = PAGES[0].__class__(**{**PAGES[0].__dict__, "chunk_no": 9, "point_id": "x"})
    _, citations = extractive_answer("vpn", [PAGES[0], twin, PAGES[1]])
    assert [c.label for c in citations] == ["VPN › Windows", "VPN › Mac"]


def test_of_a_sections_passages_the_one_that_matches_the_question_is_quoted():
    """The sample wiki's VPN quick start: a short passage about when the VPN is not needed
    ranks above the passage with the steps; the quote shows the steps."""
    hit = PAGES[0].__class__
    aside = hit(
        **{
            **PAGES[0].__dict__,
            "point_id": "aside",
            "chunk_no": 2,
            "text": "You do not need the VPN for Slack or email. Leave it off when you can.",
        }
    )
    steps = hit(
        **{
            **PAGES[0].__dict__,
            "point_id": "steps",
            "chunk_no": 1,
            "score": aside.score - 0.05,
            "text": "To connect from home:\n1. Open Northwind Connect.\n2. Click Connect.",
        }
    )
    text, citations = extractive_answer("How do I connect to the VPN from home?", [aside, steps])
    assert "> To connect from home:" in text and "> 2. Click Connect." in text
    assert "Slack or email" not in text and len(citations) == 1
    # no evidence either way: the better-ranked passage is quoted
    text, _ = extractive_answer("parking permits", [aside, steps])
    assert "Slack or email" in text


@pytest.mark.parametrize("closest, listed", [([], 0), (PAGES[:1], 1), (PAGES, 3)])
def test_not_covered_text(closest, listed):
    text = not_covered_text(closest, "#it-help")
    assert text.startswith(messages.NOT_COVERED.format(escalation="#it-help"))
    assert text.count("\n- [") == listed
    assert (messages.CLOSEST_PAGES in text) == bool(listed)
