"""Per-question measures: link matching, spaces, answer sentences, percentiles."""

from __future__ import annotations

import pytest

from deskbot.sim.measure import (
    answer_units,
    citation_hit,
    cites_link,
    plain_text,
    similarity,
    space_of,
)
from deskbot.sim.summary import percentile

WIKI_FILE = "file:///srv/wiki/it/vpn.md#connecting-from-home"


@pytest.mark.parametrize(
    ("link", "url", "doc_id", "expected"),
    [
        ("it/vpn.md", WIKI_FILE, "it/vpn.md", True),
        ("/it/vpn.md#setup", WIKI_FILE, "it/vpn.md", True),
        (
            "https://wiki.example.com/it/vpn",
            "https://wiki.example.com/it/vpn#mac",
            "it/vpn.md",
            True,
        ),
        ("https://wiki.example.com/it/vpn.html", "", "it/vpn.md", True),
        ("vpn.md", WIKI_FILE, "it/vpn.md", True),
        ("it/wifi.md", WIKI_FILE, "it/vpn.md", False),
        ("it/vpn-old.md", WIKI_FILE, "it/vpn.md", False),
        ("hr/vpn.md", WIKI_FILE, "it/vpn.md", False),
        (
            "https://acme.atlassian.net/wiki/spaces/IT/pages/12345/VPN+setup",
            "https://acme.atlassian.net/wiki/spaces/IT/pages/12345",
            "12345",
            True,
        ),
        (
            "https://confluence.acme.com/pages/viewpage.action?pageId=12345",
            "https://confluence.acme.com/display/IT/VPN",
            "12345",
            True,
        ),
        (
            "https://acme.atlassian.net/wiki/spaces/IT/pages/999/VPN",
            "https://acme.atlassian.net/wiki/spaces/IT/pages/12345",
            "12345",
            False,
        ),
        ("", WIKI_FILE, "it/vpn.md", False),
    ],
)
def test_cites_link(link, url, doc_id, expected):
    assert cites_link(link, {"url": url, "doc_id": doc_id}) is expected


@pytest.mark.parametrize(
    ("link", "citations", "expected"),
    [
        ("", [{"url": WIKI_FILE, "doc_id": "it/vpn.md"}], None),
        ("it/vpn.md", [], False),
        (
            "it/vpn.md",
            [{"url": "x", "doc_id": "hr/a.md"}, {"url": WIKI_FILE, "doc_id": "it/vpn.md"}],
            True,
        ),
    ],
)
def test_citation_hit(link, citations, expected):
    assert citation_hit(link, citations) is expected


@pytest.mark.parametrize(
    ("source", "doc_id", "space"),
    [
        ("confluence:HR", "12345", "HR"),
        ("files:/srv/wiki", "it/vpn.md", "wiki/it"),
        ("files:/srv/wiki", "index.md", "wiki"),
        ("", "", "(unknown)"),
    ],
)
def test_space_of(source, doc_id, space):
    assert space_of(source, doc_id) == space


def test_answer_units_drop_headings_intro_markers_and_links():
    text = (
        "Here is what the wiki says:\n\n"
        "**[VPN › Setup](file:///srv/wiki/it/vpn.md#setup)** [1]\n"
        "> Open **Northwind Connect** and click Connect. See [the guide](https://x.example/g).\n"
        "> Sign in with Okta [1]."
    )
    units = answer_units(text)
    assert units == [
        "Open Northwind Connect and click Connect.",
        "See the guide.",
        "Sign in with Okta.",
    ]
    assert "file://" not in plain_text(text) and "[1]" not in plain_text(text)


def test_similarity_takes_the_closest_sentence(embedder):
    agent = "Install Northwind Connect and sign in with Okta to use the VPN."
    focused = "Install Northwind Connect, then sign in with Okta."
    diluted = f"The canteen opens at noon. Parking is in the basement. {focused}"
    unrelated = "The canteen serves lunch from noon until two."
    assert similarity(embedder, diluted, agent) == pytest.approx(
        similarity(embedder, focused, agent), abs=0.02
    )
    assert similarity(embedder, focused, agent) > similarity(embedder, unrelated, agent) + 0.3
    assert similarity(embedder, focused, "") is None


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 50, None), ([3.0], 95, 3.0), ([1, 2, 3, 4], 50, 2.5), ([1, 2, 3, 4, 5], 95, 4.8)],
)
def test_percentile(values, q, expected):
    assert percentile(values, q) == (None if expected is None else pytest.approx(expected))
