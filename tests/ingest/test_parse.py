"""parse(): Markdown, HTML, text and Confluence storage format -> sections."""

from __future__ import annotations

import pytest

from deskbot.core.errors import DocumentError
from ingest.document import Document, Section
from ingest.parse import build_sections, confluence_anchor, github_slug, parse
from ingest.parse_confluence import prepare


def doc(body: str, fmt: str, title: str = "VPN guide", url: str = "") -> Document:
    return Document(source="files:/w", doc_id="it/vpn", title=title, body=body, format=fmt, url=url)


def by_path(sections: list[Section]) -> dict[tuple[str, ...], str]:
    return {s.path: s.text for s in sections}


# --- Markdown ---------------------------------------------------------------------------

MARKDOWN = """---
title: VPN guide
owner: it
---
# VPN guide

Connect before you open **internal** tools &amp; dashboards.

## Install

- Download the client
- Sign in
  1. Use SSO
  2. Approve the push

```bash
sudo  apt install openvpn
#  not a heading
```

## FAQ

| Question | Answer |
|---|---|
| Slow? | Switch to `eu-west` |

### Why?

Because.

## FAQ

Second FAQ.
"""


def test_markdown_sections_paths_and_anchors():
    sections = parse(doc(MARKDOWN, "markdown"))
    assert [(s.path, s.anchor) for s in sections] == [
        ((), ""),
        (("Install",), "install"),
        (("FAQ",), "faq"),
        (("FAQ", "Why?"), "why"),
        (("FAQ",), "faq-1"),  # GitHub de-duplicates repeated headings
    ]
    assert sections[0].text == "Connect before you open internal tools & dashboards."


def test_markdown_lists_code_and_tables_keep_their_shape():
    sections = parse(doc(MARKDOWN, "markdown"))
    texts = by_path(sections)
    assert (
        "- Download the client\n- Sign in\n  1. Use SSO\n  2. Approve the push"
        in texts[("Install",)]
    )
    assert "```bash\nsudo  apt install openvpn\n#  not a heading\n```" in texts[("Install",)]
    assert sections[2].text == "| Question | Answer |\n| Slow? | Switch to `eu-west` |"


def test_markdown_h1_that_is_not_the_title_stays_in_the_path():
    sections = parse(doc("# Other\n\ntext\n\n## Sub\n\nmore", "markdown"))
    assert [s.path for s in sections] == [("Other",), ("Other", "Sub")]


def test_markdown_raw_html_block_is_read_as_html():
    sections = parse(doc("intro\n\n<div><h2>Raw</h2><p>a &lt;b&gt;</p></div>\n", "markdown"))
    assert by_path(sections) == {(): "intro", ("Raw",): "a <b>"}


# --- HTML -------------------------------------------------------------------------------

HTML = """<!doctype html><html><head><title>VPN guide | Wiki</title>
<style>.x{color:red}</style><script>alert("no")</script></head><body>
<nav><a href="/">Home</a></nav><header>Acme wiki</header>
<div role="navigation">Breadcrumbs</div><aside>Related pages</aside>
<main>
<h1>VPN guide</h1>
<p>Use the   VPN&nbsp;when <b>remote</b>.<br>Always.</p>
<h2 id="ports-used">Ports &amp; protocols</h2>
<table><thead><tr><th>Port</th><th>Use</th></tr></thead>
<tbody><tr><td>443</td><td>TLS | HTTPS</td></tr><tr><td>1194</td><td>OpenVPN</td></tr></tbody></table>
<h3>Config</h3>
<pre><code class="language-ini">[vpn]
  server = vpn.example.com
</code></pre>
<ol><li>First<ul><li>nested</li></ul></li><li>Second</li></ol>
<form><input name="q"><button>Search</button></form><noscript>Enable JS</noscript>
</main>
<footer>Copyright</footer></body></html>"""


def test_html_main_content_without_chrome():
    sections = parse(doc(HTML, "html"))
    assert [(s.path, s.anchor) for s in sections] == [
        ((), ""),
        (("Ports & protocols",), "ports-used"),  # the heading's own id wins
        (("Ports & protocols", "Config"), "config"),
    ]
    everything = "\n".join(s.text for s in sections)
    for chrome in ("Home", "Acme wiki", "Breadcrumbs", "Related", "alert", "color", "Search"):
        assert chrome not in everything
    assert "Copyright" not in everything and "Enable JS" not in everything
    assert sections[0].text == "Use the VPN when remote.\nAlways."


def test_html_tables_code_and_lists():
    texts = by_path(parse(doc(HTML, "html")))
    assert (
        texts[("Ports & protocols",)]
        == "| Port | Use |\n| 443 | TLS \\| HTTPS |\n| 1194 | OpenVPN |"
    )
    config = texts[("Ports & protocols", "Config")]
    assert "```ini\n[vpn]\n  server = vpn.example.com\n```" in config
    assert "1. First\n   - nested\n2. Second" in config


def test_html_without_main_reads_body_and_drops_chrome():
    body = "<nav>menu</nav><h2>Only</h2><p>kept</p><footer>foot</footer>"
    assert by_path(parse(doc(body, "html"))) == {("Only",): "kept"}


@pytest.mark.parametrize(
    "broken, expected",
    [
        ("<p>unclosed <b>bold <i>both</div><p>next", ["unclosed bold both", "next"]),
        ("<table><tr><td>a<td>b</table><h2>Head<p>text</p>", ["| a | b |"]),
        ("</p></div><<<>>> &bogus; &amp;&hellip; <p", ["&bogus; &…"]),
        ("<div>" * 5000 + "deep text" + "</span>" * 10, ["deep text"]),
    ],
)
def test_malformed_html_does_not_crash_and_keeps_text(broken, expected):
    text = "\n".join(s.text for s in parse(doc(broken, "html")))
    for part in expected:
        assert part in text


# --- text, empty, errors ------------------------------------------------------------------


def test_text_paragraphs():
    sections = parse(doc("First line\nsame para\n\n\n  Second   para  \n", "text"))
    assert sections == [Section(path=(), text="First line\nsame para\n\nSecond para", anchor="")]


EMPTY_BODIES = ["", "   \n\t ", "<p> </p>"]


@pytest.mark.parametrize(
    "fmt, body",
    [(fmt, body) for fmt in ("markdown", "html", "confluence") for body in EMPTY_BODIES]
    + [("text", body) for body in EMPTY_BODIES[:2]],
)
def test_empty_documents_give_no_sections(fmt, body):
    assert parse(doc(body, fmt)) == []


def test_unknown_format_names_the_document():
    with pytest.raises(DocumentError, match=r"files:/w it/vpn: unknown format 'pdf'"):
        parse(doc("x", "pdf"))


def test_unparseable_body_names_the_document():
    with pytest.raises(DocumentError, match=r"files:/w it/vpn"):
        parse(Document(source="files:/w", doc_id="it/vpn", title="t", body=b"\x00", format="html"))


# --- Confluence storage format ------------------------------------------------------------

CONFLUENCE = """<ac:structured-macro ac:name="toc" ac:schema-version="1"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>
<p>Ask <ac:link><ri:user ri:account-id="5b10ac8d82e05b22cc7d4ef5" /></ac:link> or <ac:link><ri:user ri:username="jsmith" /></ac:link>, and read <ac:link><ri:page ri:content-title="Okta SSO" ri:space-key="IT" /></ac:link> first.</p>
<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body><p>The VPN is required off-site &amp; on guest Wi-Fi.</p></ac:rich-text-body></ac:structured-macro>
<h1>Install the client</h1>
<p><ac:image ac:height="250"><ri:attachment ri:filename="screenshot.png" /></ac:image>Download it from <ac:link><ri:page ri:content-title="Software Center" /><ac:plain-text-link-body><![CDATA[the software portal]]></ac:plain-text-link-body></ac:link>.</p>
<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[if [ "$(id -u)" -ne 0 ] && [ 1 < 2 ]; then
    echo "<run as root>"
fi]]></ac:plain-text-body></ac:structured-macro>
<p><ac:structured-macro ac:name="note"><ac:rich-text-body><p>Restart after installing.</p></ac:rich-text-body></ac:structured-macro></p>
<h2>Troubleshooting <ac:structured-macro ac:name="status"><ac:parameter ac:name="title">UPDATED</ac:parameter></ac:structured-macro></h2>
<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Error codes</ac:parameter><ac:rich-text-body>
<table><tbody><tr><th><p>Code</p></th><th><p>Fix</p></th></tr><tr><td><p>809</p></td><td><p>Open UDP 500</p></td></tr></tbody></table>
</ac:rich-text-body></ac:structured-macro>
<ac:task-list>
<ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Install</ac:task-body></ac:task>
<ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Test <strong>login</strong></ac:task-body></ac:task>
</ac:task-list>
<ac:structured-macro ac:name="children" />
<p>Last checked <time datetime="2026-05-01" /> by IT.</p>"""


@pytest.fixture(scope="module")
def confluence_sections() -> list[Section]:
    page = doc(CONFLUENCE, "confluence", title="VPN Guide", url="https://wiki.acme.com/x/ABC")
    return parse(page)


def test_confluence_paths_and_classic_anchors(confluence_sections):
    assert [(s.path, s.anchor) for s in confluence_sections] == [
        ((), ""),
        (("Install the client",), "VPNGuide-Installtheclient"),
        (("Install the client", "Troubleshooting [UPDATED]"), "VPNGuide-Troubleshooting[UPDATED]"),
    ]


def test_confluence_links_mentions_and_panels(confluence_sections):
    intro = confluence_sections[0].text
    assert intro == (
        "Ask @user or @jsmith, and read Okta SSO first.\n\n"
        "Info: The VPN is required off-site & on guest Wi-Fi."
    )


def test_confluence_code_macro_keeps_cdata_verbatim(confluence_sections):
    install = confluence_sections[1].text
    assert install.startswith("Download it from the software portal.")
    assert (
        '```bash\nif [ "$(id -u)" -ne 0 ] && [ 1 < 2 ]; then\n    echo "<run as root>"\nfi\n```'
        in install
    )
    assert install.endswith("Note: Restart after installing.")  # a macro inside <p> survives
    assert "screenshot" not in install


def test_confluence_expand_table_task_list_and_dropped_macros(confluence_sections):
    trouble = confluence_sections[2].text
    assert trouble == (
        "Error codes\n\n"
        "| Code | Fix |\n| 809 | Open UDP 500 |\n\n"
        "- [x] Install\n- [ ] Test login\n\n"
        "Last checked 2026-05-01 by IT."
    )
    assert "maxLevel" not in "".join(s.text for s in confluence_sections)


def test_confluence_cloud_anchors_use_hyphens():
    page = doc("<h2>Set up SSO</h2><p>x</p>", "confluence", url="https://acme.atlassian.net/wiki/x")
    assert parse(page)[0].anchor == "Set-up-SSO"


def test_confluence_self_closing_tags_do_not_swallow_text():
    body = prepare('<p>a<ac:link><ri:page ri:content-title="T" /></ac:link> b<br/>c</p>')
    assert (
        body == '<ac:p>a<ac:link><ri:page ri:content-title="T"></ri:page></ac:link> b<br/>c</ac:p>'
    )
    assert parse(
        doc('<p>See <ac:link><ri:page ri:content-title="T" /></ac:link> now</p>', "confluence")
    )[0].text == ("See T now")


def test_confluence_unknown_macro_keeps_its_body_and_panel_title():
    body = (
        '<ac:structured-macro ac:name="details"><ac:rich-text-body><p>kept</p></ac:rich-text-body>'
        '</ac:structured-macro><ac:structured-macro ac:name="panel"><ac:parameter ac:name="title">'
        "Contacts</ac:parameter><ac:rich-text-body><p>Ann</p></ac:rich-text-body></ac:structured-macro>"
    )
    assert parse(doc(body, "confluence"))[0].text == "kept\n\nContacts: Ann"


@pytest.mark.parametrize(
    "body, fmt",
    [
        ("See [the portal](https://portal.acme.com/x) or [HR](mailto:hr@acme.com).", "markdown"),
        (
            '<p>See <a href="https://portal.acme.com/x">the portal</a> or <a href="mailto:hr@acme.com">HR</a>.</p>',
            "html",
        ),
        (
            '<p>See <ac:link><ri:url ri:value="https://portal.acme.com/x" /><ac:plain-text-link-body>'
            '<![CDATA[the portal]]></ac:plain-text-link-body></ac:link> or <a href="mailto:hr@acme.com">HR</a>.</p>',
            "confluence",
        ),
    ],
)
def test_outside_links_keep_their_address(body, fmt):
    text = parse(doc(body, fmt))[0].text
    assert text == "See the portal (https://portal.acme.com/x) or HR (hr@acme.com)."


@pytest.mark.parametrize(
    "body, fmt",
    [
        ("[Leave](../hr/leave.md) and <https://a.example>", "markdown"),
        (
            '<a href="/hr/leave">Leave</a> and <a href="https://a.example">https://a.example</a>',
            "html",
        ),
    ],
)
def test_relative_or_visible_links_add_nothing(body, fmt):
    assert parse(doc(body, fmt))[0].text == "Leave and https://a.example"


# --- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Set up SSO", "set-up-sso"),
        ("What's new?", "whats-new"),
        ("Ünïcode ok", "ünïcode-ok"),
        ("a_b-c", "a_b-c"),
    ],
)
def test_github_slug(text, slug):
    assert github_slug(text) == slug


def test_confluence_anchor_styles():
    assert confluence_anchor("VPN Guide", "Set up SSO", cloud=False) == "VPNGuide-SetupSSO"
    assert confluence_anchor("VPN Guide", "Set up SSO", cloud=True) == "Set-up-SSO"


def test_build_sections_pops_to_the_right_level():
    from ingest.parse import GithubAnchors, Heading

    blocks = [
        Heading(2, "A"),
        "a",
        Heading(4, "deep"),
        "d",
        Heading(3, "B"),
        "b",
        Heading(2, "C"),
        "c",
    ]
    sections = build_sections(blocks, "Title", GithubAnchors())
    assert [s.path for s in sections] == [("A",), ("A", "deep"), ("A", "B"), ("C",)]
