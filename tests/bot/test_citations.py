"""[n] markers: validated against the passages given, renumbered, unknown ones dropped."""

from __future__ import annotations

import pytest

from bot.citations import is_web_address, markers_in, resolve_citations
from tests.bot.conftest import PAGES, hit

VPN_WIN, VPN_MAC, EXPENSES, PRINTER = PAGES


@pytest.mark.parametrize(
    "text, passages, expected_text, expected_titles",
    [
        ("Use Connect [1].", [VPN_WIN], "Use Connect [1].", ["VPN › Windows"]),
        # an invented number is dropped, with its space
        (
            "Use Connect [1]. Also call Bob [7].",
            [VPN_WIN],
            "Use Connect [1]. Also call Bob.",
            ["VPN › Windows"],
        ),
        # renumbered by first use
        (
            "Receipts [3]. Connect [1].",
            [VPN_WIN, VPN_MAC, EXPENSES],
            "Receipts [1]. Connect [2].",
            ["Expenses", "VPN › Windows"],
        ),
        # lists are expanded; unknown members dropped
        ("Both [1, 2, 9].", [VPN_WIN, EXPENSES], "Both [1][2].", ["VPN › Windows", "Expenses"]),
        # passages of the same page section share a number
        (
            "A [1]. B [2].",
            [VPN_WIN, hit("VPN", "more", section="Windows", doc_id="vpn", n=5)],
            "A [1]. B [1].",
            ["VPN › Windows"],
        ),
        # [0] is not a passage; Markdown links are not markers
        ("See [0] and [1](https://x.example).", [VPN_WIN], "See and [1](https://x.example).", []),
        ("No markers at all.", [VPN_WIN], "No markers at all.", []),
    ],
)
def test_resolve_citations(text, passages, expected_text, expected_titles):
    rewritten, citations = resolve_citations(text, passages)
    assert rewritten == expected_text
    assert [c.label for c in citations] == expected_titles
    assert [c.n for c in citations] == list(range(1, len(citations) + 1))


def test_citation_carries_link_and_source():
    _, (citation,) = resolve_citations("x [1]", [VPN_MAC])
    assert citation.url == "https://wiki.example/vpn#mac"
    assert citation.source == "files:/wiki" and citation.doc_id == "vpn"
    assert citation.as_json() == {"n": 1, "title": "VPN", "url": citation.url, "section": "Mac"}


def test_markers_in_expands_lists():
    assert markers_in("a [1] b [2, 3] c [x] [4](http://l)") == ["[1]", "[2]", "[3]"]


@pytest.mark.parametrize(
    "url, web",
    [
        ("https://wiki.example.com/vpn#mac", True),
        ("HTTP://wiki.example.com", True),
        ("file:///srv/wiki/it/vpn.md", False),
        ("file://server/share/vpn.md", False),
        ("/srv/wiki/vpn.md", False),
        ("javascript:alert(1)", False),
        ("mailto:help@example.com", False),
        ("https://", False),
        ("http://[::1", False),
        ("", False),
    ],
)
def test_is_web_address_only_for_http_with_a_host(url, web):
    assert is_web_address(url) is web
