"""Markdown (CommonMark + GFM tables) -> blocks, via markdown-it-py tokens.

A YAML front-matter block (`---` ... `---` at the very top) is skipped; raw HTML blocks
are read with the HTML reader; inline HTML tags are dropped (their text stays); an
outside link keeps its address after its text: "the portal (https://portal.example.com)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.parse import Block, Heading, clean_inline
from ingest.parse_html import fence, link_suffix

_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(simple `key: value` pairs of the front matter, the Markdown after it)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-")):
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[match.end() :]


def read_markdown(body: str) -> list[Block]:
    _, body = split_front_matter(body)
    return MarkdownReader().read(_markdown().parse(body))


@dataclass
class _List:
    ordered: bool
    number: int
    marker: str = ""  # marker of the current item until its first paragraph is written
    width: int = 2


@dataclass
class MarkdownReader:
    """Walks the flat token stream, tracking open lists and tables."""

    blocks: list[Block] = field(default_factory=list)
    lists: list[_List] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # lines of the open list or table
    row: list[str] | None = None
    in_table: bool = False

    def read(self, tokens: list[Token]) -> list[Block]:
        i = 0
        while i < len(tokens):
            i = self.token(tokens, i) + 1
        return self.blocks

    def token(self, tokens: list[Token], i: int) -> int:
        """Handle tokens[i]; return the index of the last token used."""
        tok = tokens[i]
        kind = tok.type
        if kind == "heading_open" and not self.lists and not self.in_table:
            self.blocks.append(Heading(int(tok.tag[1]), inline_text(tokens[i + 1])))
            return i + 2
        if kind == "inline":
            self.text(inline_text(tok))
        elif kind in ("fence", "code_block"):
            self.text(fence(tok.content, (tok.info or "").split(" ")[0]))
        elif kind == "html_block":
            self.html(tok.content)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrs.get("start", 1) or 1)
            self.lists.append(_List(kind == "ordered_list_open", start))
        elif kind == "list_item_open":
            entry = self.lists[-1]
            entry.marker = f"{entry.number}. " if entry.ordered else "- "
            entry.width = len(entry.marker)
            entry.number += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
            if not self.lists:
                self.end_lines()
        else:
            self.table_token(kind)
        return i

    def table_token(self, kind: str) -> None:
        if kind == "table_open":
            self.in_table = True
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close" and self.row is not None:
            if any(self.row):
                self.lines.append("| " + " | ".join(self.row) + " |")
            self.row = None
        elif kind == "table_close":
            self.in_table = False
            self.end_lines()

    def text(self, text: str) -> None:
        """A paragraph (or code) in the current context: top level, list item or cell."""
        if self.row is not None:
            self.row.append(text.replace("\n", " ").replace("|", "\\|"))
        elif self.lists:
            indent = "  " * (len(self.lists) - 1)
            entry = self.lists[-1]
            pad = " " * entry.width
            lead, entry.marker = entry.marker or pad, ""  # later paragraphs: indented only
            for n, line in enumerate(text.split("\n")):
                self.lines.append(indent + (lead if n == 0 else pad) + line)
        elif text:
            self.blocks.append(text)

    def html(self, content: str) -> None:
        from ingest.parse_html import read_html

        for block in read_html(content):
            if isinstance(block, Heading) and not self.lists:
                self.blocks.append(block)
            else:
                self.text(block.text if isinstance(block, Heading) else block)

    def end_lines(self) -> None:
        if self.lines:
            self.blocks.append("\n".join(self.lines))
        self.lines = []


def inline_text(token: Token) -> str:
    """Plain text of an inline token: code spans keep backticks, tags and images drop."""
    parts: list[str] = []
    links: list[tuple[int, str]] = []  # (where the link text starts, href)
    for child in token.children or ():
        if child.type == "link_open":
            links.append((len(parts), str(child.attrs.get("href", ""))))
        elif child.type == "link_close" and links:
            start, href = links.pop()
            parts.append(link_suffix("".join(parts[start:]), href))
        elif child.type == "text":
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(f"`{child.content}`")
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    lines = (clean_inline(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
