"""Markdown -> Slack mrkdwn, Slack text -> plain question, and splitting under limits."""

from __future__ import annotations

import pytest

from bot.slack.mrkdwn import from_slack, link, mentions
from bot.slack.render import to_markdown, to_mrkdwn
from bot.slack.split import split_text


@pytest.mark.parametrize(
    "markdown, mrkdwn",
    [
        (
            "See [the VPN page](https://wiki.example/vpn).",
            "See <https://wiki.example/vpn|the VPN page>.",
        ),
        ("**bold** and __also bold__", "*bold* and *also bold*"),
        ("*italic* and _also_", "_italic_ and _also_"),
        ("~~gone~~", "~gone~"),
        ("# Title\nText", "*Title*\n\nText"),
        ("## A **bold** heading", "*A bold heading*"),
        ("- one\n- two", "• one\n• two"),
        ("1. first\n2. second", "1. first\n2. second"),
        ("- outer\n  - inner", "• outer\n    • inner"),
        ("> quoted\n> more", "> quoted\n> more"),
        ("Use `a < b && c`", "Use `a &lt; b &amp;&amp; c`"),
        ("```python\nif a < b:\n    pass\n```", "```\nif a &lt; b:\n    pass\n```"),
        ("R&D <team> > all", "R&amp;D &lt;team&gt; &gt; all"),
        ("Cite [1] and [2].", "Cite [1] and [2]."),
        ("<https://auto.link/x>", "https://auto.link/x"),  # Slack links a bare address
        ("[a|b](https://x.example/?q=1&r=2)", "<https://x.example/?q=1&amp;r=2|a¦b>"),
        ("![diagram](https://x.example/d.png)", "<https://x.example/d.png|diagram>"),
        ("[click](javascript:alert(1))", "click"),
        ("**[VPN › Mac](file:///srv/wiki/vpn.md#mac)** [1]", "*VPN › Mac* [1]"),
        ("line one\nline two", "line one\nline two"),
        ("---", "──────────"),
        ("| a | b |\n|---|---|\n| 1 | 22 |", "```\na | b\n--+---\n1 | 22\n```"),
    ],
    ids=lambda v: v[:24] if isinstance(v, str) else None,
)
def test_markdown_becomes_mrkdwn(markdown, mrkdwn):
    assert to_mrkdwn(markdown) == mrkdwn


def test_link_label_in_markdown_keeps_its_words():
    text = "Read [**VPN** setup `guide`](https://w.example/vpn) now"
    assert to_mrkdwn(text) == "Read <https://w.example/vpn|VPN setup guide> now"


@pytest.mark.parametrize(
    "slack, plain",
    [
        ("<@UBOT> how do I reset MFA?", "how do I reset MFA?"),
        ("ask <@U123|jane> about <#C9|it-help>", "ask @jane about #it-help"),
        (
            "see <https://w.example/a|the page> &amp; <https://w.example/b>",
            "see the page (https://w.example/a) & https://w.example/b",
        ),
        ("<!here> wifi &lt;down&gt;", "@here wifi <down>"),
        ("  spaced\n\nout  ", "spaced out"),
    ],
)
def test_slack_text_becomes_the_plain_question(slack, plain):
    assert from_slack(slack, "UBOT") == plain


def test_mentions_only_the_given_user():
    assert mentions("hi <@UBOT>", "UBOT") and not mentions("hi <@UOTHER>", "UBOT")
    assert not mentions("hi", None)


def test_link_escapes_what_would_break_the_syntax():
    assert link("https://a.example/x y|z", "t") == "<https://a.example/x%20y%7Cz|t>"
    assert link("https://a.example/", "https://a.example/") == "<https://a.example/>"


@pytest.mark.parametrize("limit", [120, 500, 3000])
def test_split_respects_the_limit_and_keeps_code_blocks_whole(limit):
    code = "```\n" + "\n".join(f"print({n})" for n in range(80)) + "\n```"
    words = " ".join(f"word{n}" for n in range(400))
    text = "\n\n".join(["Intro paragraph.", words, code, "Outro."])
    parts = split_text(text, limit)
    assert all(len(p) <= limit for p in parts)
    assert all(p.count("```") % 2 == 0 for p in parts)
    joined = " ".join(parts).replace("```", " ")
    assert joined.split() == text.replace("```", " ").split()  # nothing lost


def test_split_prefers_paragraph_breaks():
    paragraphs = [f"Paragraph {n} " + "x" * 60 for n in range(6)]
    parts = split_text("\n\n".join(paragraphs), 200)
    assert all(p.startswith("Paragraph") for p in parts)


def test_split_short_and_empty_text():
    assert split_text("short", 100) == ["short"]
    assert split_text("   ", 100) == []


@pytest.mark.parametrize(
    "markdown, safe",
    [
        (
            "Install **Northwind Connect** [1].\n\n- Open it [1]\n- Click *Connect* [2]",
            "Install **Northwind Connect** [1].\n\n- Open it [1]\n- Click *Connect* [2]",
        ),
        (
            "<!channel> <@U1> <#C1> <!subteam^S1> R&D",
            "&lt;!channel&gt; &lt;@U1&gt; &lt;#C1&gt; &lt;!subteam^S1&gt; R&amp;D",
        ),
        (
            "<https://evil.example|https://intranet.example.com>",
            "https://evil.example|https://intranet.example.com",
        ),
        (
            "[https://intranet.example.com/login](https://evil.example/x)",
            "[https://evil.example/x](https://evil.example/x)",
        ),
        (
            "[intranet.example.com](https://evil.example/x)",
            "[https://evil.example/x](https://evil.example/x)",
        ),
        (
            "[the VPN page](https://wiki.example.com/vpn?a=1&b=(2))",
            "[the VPN page](https://wiki.example.com/vpn?a=1&amp;b=%282%29)",
        ),
        (
            "[wiki.example.com](https://www.wiki.example.com/vpn)",
            "[wiki.example.com](https://www.wiki.example.com/vpn)",
        ),
        ("**[VPN › Mac](file:///srv/wiki/vpn.md)** [1]", "**VPN › Mac** [1]"),
        ("[x <!here>](javascript:alert(1))", "x &lt;!here&gt;"),
        (
            "\\[label](https://evil.example) \\[1]: https://evil.example [1]",
            "&#91;label](https://evil.example) &#91;1]: https://evil.example [1]",
        ),
        ("> quoted <!here>\n> more", "> quoted &lt;!here&gt;\n> more"),
        ("Click [Save], then [OK] [1].", "Click [Save], then [OK] [1]."),
        ("\\[a \\[b\\] c\\](https://evil.example)", "&#91;a &#91;b] c](https://evil.example)"),
        ("## Setup <b>", "## Setup &lt;b&gt;"),
        ("```\nif a < b: <!channel>\n```", "```\nif a &lt; b: &lt;!channel&gt;\n```"),
        ("````\nx ``` y\n````", "````\nx ``` y\n````"),
        ("use `` a`b `` now", "use `` a`b `` now"),
        (
            "![chart <!here>](https://x.example/c.png)",
            "[chart &lt;!here&gt;](https://x.example/c.png)",
        ),
    ],
    ids=lambda v: v[:28] if isinstance(v, str) else None,
)
def test_markdown_for_streams_keeps_structure_and_escapes_text(markdown, safe):
    assert to_markdown(markdown) == safe


@pytest.mark.parametrize(
    "url, label, expected",
    [
        ("https://evil.example", "https://intranet.example.com/login", "<https://evil.example>"),
        ("https://evil.example", "intranet.example.com", "<https://evil.example>"),
        (
            "https://wiki.example.com/vpn",
            "wiki.example.com/vpn",
            "<https://wiki.example.com/vpn|wiki.example.com/vpn>",
        ),
        (
            "https://wiki.example.com/vpn",
            "VPN 2.1 guide",
            "<https://wiki.example.com/vpn|VPN 2.1 guide>",
        ),
        (
            "mailto:help@example.com",
            "help@example.com",
            "<mailto:help@example.com|help@example.com>",
        ),
        ("file:///srv/wiki/vpn.md", "VPN <Mac>", "VPN &lt;Mac&gt;"),
        ("javascript:alert(1)", "click", "click"),
    ],
)
def test_link_shows_web_addresses_only_and_never_a_disguise(url, label, expected):
    assert link(url, label) == expected
