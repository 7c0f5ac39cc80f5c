"""HTML -> blocks (headings and paragraphs of plain Markdown-ish text), via selectolax/lexbor.

Page chrome is dropped (nav, header, footer, aside, script, style, noscript, form and
ARIA navigation / banner / contentinfo / search landmarks); when the page has a `<main>`,
a `[role=main]` or a single `<article>`, only that is read. Lexbor repairs broken markup
the way browsers do, so malformed HTML still yields its text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.parse import Block, Heading, clean_inline

DROP_TAGS = frozenset(
    "nav header footer aside script style noscript form template svg iframe button select "
    "textarea input head title canvas object embed img picture video audio map math".split()
)
DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})
BLOCK_TAGS = frozenset(
    "p div section article main blockquote address figure figcaption dl dt dd details "
    "summary center body html caption fieldset li".split()
)
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SPACES = re.compile(r"\s+")  # newlines in markup are spaces; only <br> breaks a line
_LANG = re.compile(r"(?:lang|language)-([\w+#.-]+)")


def read_html(body: str) -> list[Block]:
    """Blocks of the page's main content."""
    tree = LexborHTMLParser(body)
    root = content_root(tree)
    return render_blocks(root, HtmlRenderer) if root is not None else []


def content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """<main>, then [role=main], then a lone <article>, else <body>."""
    for selector in ("main", "[role=main]"):
        node = tree.css_first(selector)
        if node is not None:
            return node
    articles = tree.css("article")
    if len(articles) == 1:
        return articles[0]
    return tree.body or tree.root


def render_blocks(root: LexborNode, renderer: type[HtmlRenderer]) -> list[Block]:
    """Render `root`; markup nested too deep for recursion falls back to its bare text."""
    try:
        return renderer().render(root)
    except RecursionError:
        text = root.text(deep=True, separator="\n", strip=True)
        return [line for line in (clean_inline(t) for t in text.split("\n")) if line]


class HtmlRenderer:
    """Walks a DOM and collects blocks; subclasses add handlers for more tags."""

    # tag -> name of the method that handles it; subclasses extend this mapping
    handlers = {
        "br": "on_br",
        "hr": "flush_node",
        "ul": "on_list",
        "ol": "on_list",
        "table": "on_table",
        "pre": "on_pre",
        "a": "on_anchor",
    }

    block_tags = BLOCK_TAGS

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.inline: list[str] = []

    # --- walking -----------------------------------------------------------------

    def render(self, node: LexborNode) -> list[Block]:
        self.walk(node)
        self.flush()
        return self.blocks

    def walk(self, node: LexborNode) -> None:
        child = node.child
        while child is not None:
            self.visit(child)
            child = child.next

    def visit(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag == "-text":
            self.inline.append(_SPACES.sub(" ", node.text_content or ""))
            return
        if tag.startswith("-") or self.dropped(node, tag):
            return
        handler = self.handlers.get(tag)
        if handler is not None:
            getattr(self, handler)(node)
        elif tag in HEADINGS:
            self.flush()
            self.blocks.append(Heading(HEADINGS[tag], self.inline_text(node), self.node_id(node)))
        elif tag in self.block_tags:
            self.flush()
            self.walk(node)
            self.flush()
        else:
            self.walk(node)

    def dropped(self, node: LexborNode, tag: str) -> bool:
        if tag in DROP_TAGS:
            return True
        attrs = node.attributes
        return attrs.get("role") in DROP_ROLES or "hidden" in attrs

    def node_id(self, node: LexborNode) -> str:
        return (node.attributes.get("id") or "").strip()

    def on_br(self, node: LexborNode) -> None:
        self.inline.append("\n")

    def flush_node(self, node: LexborNode) -> None:
        self.flush()

    def on_list(self, node: LexborNode) -> None:
        self.add_block(self.list_text(node, ordered=node.tag == "ol"))

    def on_table(self, node: LexborNode) -> None:
        self.add_block(self.table_text(node))

    def on_pre(self, node: LexborNode) -> None:
        self.add_block(self.code_text(node))

    def on_anchor(self, node: LexborNode) -> None:
        """Link text, followed by the address when it is an outside link the text hides."""
        start = len(self.inline)
        self.walk(node)
        text = "".join(self.inline[start:])
        self.inline.append(link_suffix(text, node.attributes.get("href")))

    # --- output ------------------------------------------------------------------

    def flush(self) -> None:
        """End the running paragraph."""
        if self.inline:
            raw = "".join(self.inline)
            self.inline = []
            lines = (clean_inline(line) for line in raw.split("\n"))
            self.add_block("\n".join(line for line in lines if line))

    def add_block(self, text: str) -> None:
        self.flush()
        if text:
            self.blocks.append(text)

    def sub_blocks(self, node: LexborNode) -> list[Block]:
        """Blocks of one element, rendered on their own (list items, cells, panels)."""
        return type(self)().render(node)

    def sub_texts(self, node: LexborNode) -> list[str]:
        return [b.text if isinstance(b, Heading) else b for b in self.sub_blocks(node)]

    def inline_text(self, node: LexborNode) -> str:
        return clean_inline(" ".join(self.sub_texts(node)))

    # --- structures ----------------------------------------------------------------

    def list_text(self, node: LexborNode, *, ordered: bool) -> str:
        """`- item` lines (or `1. item`); nested lists indent by two spaces."""
        start = _int(node.attributes.get("start"), 1) if ordered else 1
        lines: list[str] = []
        number = start
        for item in elements(node):
            if item.tag in DROP_TAGS:
                continue
            if item.tag in ("ul", "ol"):  # a list nested without its <li> (common, invalid)
                nested = self.list_text(item, ordered=item.tag == "ol")
                lines.extend("  " + line for line in nested.split("\n") if line)
                continue
            marker = f"{number}. " if ordered else "- "
            lines.extend(list_item_lines(marker, self.sub_texts(item)))
            number += 1
        return "\n".join(lines)

    def table_text(self, table: LexborNode) -> str:
        """One `| a | b |` line per row; a caption comes first."""
        lines = []
        for part in elements(table):
            if part.tag == "caption":
                lines.append(self.inline_text(part))
            rows = [part] if part.tag == "tr" else [r for r in elements(part) if r.tag == "tr"]
            for row in rows:
                cells = [self.cell_text(c) for c in elements(row) if c.tag in ("td", "th")]
                if any(cells):
                    lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(line for line in lines if line)

    def cell_text(self, cell: LexborNode) -> str:
        return " ".join(self.sub_texts(cell)).replace("\n", " ").replace("|", "\\|").strip()

    def code_text(self, node: LexborNode) -> str:
        code = node.text(deep=True, strip=False)
        inner = node.css_first("code")
        classes = " ".join(
            (n.attributes.get("class") or "") for n in (node, inner) if n is not None
        )
        match = _LANG.search(classes)
        return fence(code, match.group(1) if match else "")


def link_suffix(text: str, href: str | None) -> str:
    """ " (https://…)" for an absolute web or mailto link whose text does not show it."""
    href = (href or "").strip()
    if not href.startswith(("http://", "https://", "mailto:")) or len(href) > 200:
        return ""
    shown = href.removeprefix("mailto:")
    if not text.strip() or shown.rstrip("/") in text:
        return ""
    return f" ({shown})"


def list_item_lines(marker: str, parts: list[str]) -> list[str]:
    """Lines of one list item: marker on the first line, the rest indented under it."""
    if not parts:
        return []
    pad = " " * len(marker)
    first, *rest = parts
    lines = [marker + first.replace("\n", "\n" + pad)]
    lines.extend(pad + part.replace("\n", "\n" + pad) for part in rest)
    return lines


def fence(code: str, language: str = "") -> str:
    """A fenced code block with the code kept verbatim (bar outer blank lines)."""
    code = code.strip("\n").rstrip()
    if not code.strip():
        return ""
    return f"```{language}\n{code}\n```"


def elements(node: LexborNode) -> Iterator[LexborNode]:
    """The element children of `node` (no text, comments or other `-` nodes)."""
    child = node.child
    while child is not None:
        if child.tag and not child.tag.startswith("-"):
            yield child
        child = child.next


def first_child(node: LexborNode, tag: str) -> LexborNode | None:
    """The first element child of `node` named `tag`."""
    return next((c for c in elements(node) if c.tag == tag), None)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
