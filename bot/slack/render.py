"""The Answerer's Markdown as Slack shows it: mrkdwn for blocks, safe Markdown for streams.

Both come from one walk over markdown-it's tokens (CommonMark + tables +
strikethrough), so nesting, code and escaping come out right instead of
regex-guessed, and the two paths cannot drift: every piece of text is escaped
by `mrkdwn.escape`, every link is made by `mrkdwn.link`/`markdown_link` (web
addresses only), and only then are deskbot's own marks, bullets and quotes added.
Streams (chat.startStream/appendStream/stopStream) take Markdown, blocks take mrkdwn.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.slack.mrkdwn import escape, link, markdown_link, markdown_text

_INLINE_MARKS = ("strong", "em", "s")


class _EveryLink(MarkdownIt):
    """Parses every link, file:// and javascript: included: `link` then decides what is shown
    (the label alone), where markdown-it would leave them as text with the path in it."""

    def validateLink(self, url: str) -> bool:
        return True


_MD = _EveryLink("commonmark", {"html": False}).enable(["strikethrough", "table"])


@dataclass(frozen=True)
class Dialect:
    marks: dict[str, str]  # strong / em / s -> the mark written on both sides
    bullet: str
    text: Callable[[str], str]  # wiki or model text, escaped for this dialect
    link: Callable[[str, str], str]  # (url, label) -> a link, or the label alone
    heading: Callable[[str, int], str]  # (rendered text, level) -> the heading line
    long_fences: bool  # code holding ``` gets a longer fence (Markdown) or not (mrkdwn has none)


MRKDWN = Dialect(
    marks={"strong": "*", "em": "_", "s": "~"},
    bullet="•",
    text=escape,
    link=link,
    heading=lambda text, _level: f"*{text}*" if text else "",
    long_fences=False,
)
MARKDOWN = Dialect(
    marks={"strong": "**", "em": "*", "s": "~~"},
    bullet="-",
    text=markdown_text,
    link=markdown_link,
    heading=lambda text, level: f"{'#' * level} {text}" if text else "",
    long_fences=True,
)


def to_mrkdwn(markdown: str) -> str:
    """Render Markdown as Slack mrkdwn (links, bold, italics, lists, quotes, code, tables)."""
    return render(markdown, MRKDWN)


def to_markdown(markdown: str) -> str:
    """Markdown made safe for Slack's Markdown surfaces (streams): same structure, text escaped."""
    return render(markdown, MARKDOWN)


def render(markdown: str, dialect: Dialect) -> str:
    renderer = _Renderer(dialect)
    renderer.render(_MD.parse(markdown or ""))
    text = "\n".join(renderer.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _Renderer:
    """Walks markdown-it's flat token stream, keeping list and quote nesting."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.lines: list[str] = []
        self.lists: list[str] = []  # "bullet" / "ordered", innermost last
        self.quote = 0
        self.marker: str | None = None  # list marker waiting for the item's first line
        self.heading = 0  # the level of the heading being rendered, 0 outside one
        self.table: list[list[str]] | None = None

    def render(self, tokens: list[Token]) -> None:
        for token in tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append(kind.split("_")[0])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
                if not self.lists:
                    self.blank()
            elif kind == "list_item_open":
                ordered = self.lists[-1] == "ordered"
                bullet = f"{token.info or '1'}." if ordered else self.dialect.bullet
                self.marker = "    " * (len(self.lists) - 1) + bullet + " "
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
                self.blank()
            elif kind == "heading_open":
                self.heading = int(token.tag[1:] or 1)
            elif kind == "heading_close":
                self.heading = 0
                self.blank()
            elif kind == "paragraph_close" and not self.lists:
                self.blank()
            elif kind == "inline":
                self.inline(token)
            elif kind in ("fence", "code_block"):
                self.code_block(token.content.rstrip("\n"))
            elif kind == "hr":
                self.emit("──────────")
                self.blank()
            elif kind == "html_block":
                self.emit(self.dialect.text(token.content.rstrip("\n")))
                self.blank()
            else:
                self.table_token(token)

    def inline(self, token: Token) -> None:
        if self.table is not None:
            self.table[-1].append(_plain(token.children or []))
            return
        text = render_inline(token.children or [], self.dialect, marks=not self.heading)
        self.emit(self.dialect.heading(text, self.heading) if self.heading else text)

    def code_block(self, code: str) -> None:
        """Code is escaped too: Slack would still act on `<!channel>` inside a code block."""
        fence = "`" * max(3, _longest_run(code) + 1 if self.dialect.long_fences else 3)
        self.emit(fence + "\n" + escape(code) + "\n" + fence)
        self.blank()

    def table_token(self, token: Token) -> None:
        if token.type == "table_open":
            self.table = []
        elif token.type == "tr_open" and self.table is not None:
            self.table.append([])
        elif token.type == "table_close" and self.table is not None:
            rows, self.table = self.table, None
            self.code_block(_table(rows))

    def emit(self, text: str) -> None:
        quote = "> " * self.quote
        indent = "    " * max(len(self.lists) - 1, 0) + ("   " if self.lists else "")
        for n, line in enumerate(text.split("\n")):
            if n == 0 and self.marker is not None:
                self.lines.append(quote + self.marker + line)
                self.marker = None
            else:
                self.lines.append(quote + (indent if self.lists else "") + line)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def render_inline(children: list[Token], dialect: Dialect = MRKDWN, *, marks: bool = True) -> str:
    """Inline tokens -> the dialect. `marks=False` drops bold/italic (inside headings)."""
    parts: list[str] = []
    label: list[str] | None = None
    href, auto = "", False
    for child in children:
        kind = child.type
        if kind == "link_open":
            href, label, auto = str(child.attrs.get("href", "")), [], child.markup == "autolink"
        elif kind == "link_close" and label is not None:
            # <https://…> written in the text stays text (Slack links a bare address itself)
            text = "".join(label)
            parts.append(dialect.text(text) if auto else dialect.link(href, text))
            label = None
        elif label is not None:
            label.append(
                child.content if kind in ("text", "code_inline") else " " * (kind == "softbreak")
            )
        elif kind == "text":
            parts.append(dialect.text(child.content))
        elif kind == "code_inline":
            parts.append(_code_span(child.content, dialect.long_fences))
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "image":
            src = str(child.attrs.get("src", ""))
            alt = "".join(c.content for c in child.children or [] if c.type == "text")
            parts.append(dialect.link(src, alt) if src else "")
        elif marks and kind.endswith(("_open", "_close")):
            name = kind.rsplit("_", 1)[0]
            parts.append(dialect.marks.get(name, "") if name in _INLINE_MARKS else "")
    return "".join(parts)


def _code_span(code: str, long_fences: bool) -> str:
    if not long_fences or "`" not in code:
        return f"`{escape(code)}`"
    ticks = "`" * (_longest_run(code) + 1)
    return f"{ticks} {escape(code)} {ticks}"


def _longest_run(text: str) -> int:
    """The longest run of backticks in `text`."""
    return max((len(run) for run in re.findall("`+", text)), default=0)


def _plain(children: list[Token]) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def _table(rows: list[list[str]]) -> str:
    """Rows of raw cells as aligned plain text; `code_block` escapes it."""
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    sizes = [max(len(r[i]) for r in rows) for i in range(width)]
    lines = [" | ".join(c.ljust(sizes[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    if len(lines) > 1:
        lines.insert(1, "-+-".join("-" * s for s in sizes))
    return "\n".join(lines)
