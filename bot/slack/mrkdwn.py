"""Markdown (what the Answerer writes) -> Slack mrkdwn, Slack text -> plain text, and splitting.

Slack's mrkdwn is not Markdown: links are `<url|title>`, bold is `*x*`, there are
no headings, and `&`, `<`, `>` must be escaped. The Markdown is parsed with
markdown-it (CommonMark + tables + strikethrough) and rendered token by token,
so nesting, code and escaping come out right instead of regex-guessed.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark", {"html": False}).enable(["strikethrough", "table"])
_MARKS = {"strong": "*", "em": "_", "s": "~"}
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str = "") -> str:
    """`<url|label>` with the URL made safe for Slack's link syntax."""
    safe = escape(url).replace("|", "%7C").replace(" ", "%20")
    label = " ".join(label.replace("|", "¦").split())
    if not label or label == url:
        return f"<{safe}>"
    return f"<{safe}|{escape(label)}>"


def to_mrkdwn(markdown: str) -> str:
    """Render Markdown as Slack mrkdwn (links, bold, italics, lists, quotes, code, tables)."""
    renderer = _Renderer()
    renderer.render(_MD.parse(markdown or ""))
    text = "\n".join(renderer.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _Renderer:
    """Walks markdown-it's flat token stream, keeping list and quote nesting."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.lists: list[str] = []  # "bullet" / "ordered", innermost last
        self.quote = 0
        self.marker: str | None = None  # list marker waiting for the item's first line
        self.heading = False
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
                bullet = "•" if self.lists[-1] == "bullet" else f"{token.info or '1'}."
                self.marker = "    " * (len(self.lists) - 1) + bullet + " "
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
                self.blank()
            elif kind == "heading_open":
                self.heading = True
            elif kind == "heading_close":
                self.heading = False
                self.blank()
            elif kind == "paragraph_close" and not self.lists:
                self.blank()
            elif kind == "inline":
                self.inline(token)
            elif kind in ("fence", "code_block"):
                self.emit("```\n" + escape(token.content.rstrip("\n")) + "\n```")
                self.blank()
            elif kind == "hr":
                self.emit("──────────")
                self.blank()
            elif kind == "html_block":
                self.emit(escape(token.content.rstrip("\n")))
                self.blank()
            else:
                self.table_token(token)

    def inline(self, token: Token) -> None:
        if self.table is not None:
            self.table[-1].append(_plain(token.children or []))
            return
        text = render_inline(token.children or [], marks=not self.heading)
        self.emit(f"*{text}*" if self.heading and text else text)

    def table_token(self, token: Token) -> None:
        if token.type == "table_open":
            self.table = []
        elif token.type == "tr_open" and self.table is not None:
            self.table.append([])
        elif token.type == "table_close" and self.table is not None:
            rows, self.table = self.table, None
            self.emit("```\n" + _table(rows) + "\n```")
            self.blank()

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


def render_inline(children: list[Token], *, marks: bool = True) -> str:
    """Inline tokens -> mrkdwn. `marks=False` drops bold/italic (inside headings)."""
    parts: list[str] = []
    label: list[str] | None = None
    href = ""
    for child in children:
        kind = child.type
        if kind == "link_open":
            href, label = str(child.attrs.get("href", "")), []
        elif kind == "link_close" and label is not None:
            text = "".join(label)
            parts.append(link(href, text) if href.startswith(_SAFE_SCHEMES) else escape(text))
            label = None
        elif label is not None:
            label.append(
                child.content if kind in ("text", "code_inline") else " " * (kind == "softbreak")
            )
        elif kind == "text":
            parts.append(escape(child.content))
        elif kind == "code_inline":
            parts.append(f"`{escape(child.content)}`")
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "image":
            src = str(child.attrs.get("src", ""))
            parts.append(link(src, _plain(child.children or [])) if src else "")
        elif marks and kind.endswith(("_open", "_close")) and kind.rsplit("_", 1)[0] in _MARKS:
            parts.append(_MARKS[kind.rsplit("_", 1)[0]])
    return "".join(parts)


def _plain(children: list[Token]) -> str:
    return escape("".join(c.content for c in children if c.type in ("text", "code_inline")))


def _table(rows: list[list[str]]) -> str:
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    sizes = [max(len(html.unescape(r[i])) for r in rows) for i in range(width)]
    lines = [
        " | ".join(c + " " * (sizes[i] - len(html.unescape(c))) for i, c in enumerate(r)).rstrip()
        for r in rows
    ]
    if len(lines) > 1:
        lines.insert(1, "-+-".join("-" * s for s in sizes))
    return "\n".join(lines)


# --- Slack text -> plain text ---------------------------------------------------------
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^>|]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>|]+)(?:\|([^>]*))?>")


def from_slack(text: str, bot_user_id: str | None = None) -> str:
    """Slack message text -> the plain question: drops the bot's mention, unwraps markup."""

    def user(m: re.Match) -> str:
        return "" if m.group(1) == bot_user_id else "@" + (m.group(2) or m.group(1))

    text = _USER.sub(user, text or "")
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return " ".join(html.unescape(text).split())


def mentions(text: str, user_id: str | None) -> bool:
    """Whether Slack text @-mentions `user_id`."""
    return bool(user_id) and any(m.group(1) == user_id for m in _USER.finditer(text or ""))


# --- splitting -------------------------------------------------------------------------
def split_text(text: str, limit: int) -> list[str]:
    """Cut text into parts of at most `limit` characters.

    Breaks at a blank line when one is in the second half of a part, else at a line
    end, else inside the line at a space. A code block cut in two is closed at the end
    of one part and reopened at the start of the next, so both render as code.
    """
    if len(text) <= limit:
        return [text] if text.strip() else []
    parts: list[str] = []
    current: list[tuple[str, bool]] = []  # (line, inside a code fence before this line)
    fence = False
    for line in _short_lines(text.split("\n"), limit - 8):
        if current and _size(current) + len(line) + 5 > limit:
            current = _flush(current, fence, parts)
        current.append((line, fence))
        if line.lstrip().startswith("```"):
            fence = not fence
    if current:
        _flush(current + [("", fence)], fence, parts, final=True)
    return [p for p in parts if p.strip()]


def _size(lines: list[tuple[str, bool]]) -> int:
    return sum(len(line) + 1 for line, _ in lines)


def _flush(current, fence: bool, parts: list[str], final: bool = False):
    cut = len(current)
    if not final:
        half = _size(current) // 2
        seen = 0
        for i, (line, inside) in enumerate(current):
            seen += len(line) + 1
            if seen > half and line == "" and not inside and i > 0:
                cut = i
                break
    head, rest = current[:cut], current[cut + 1 if cut < len(current) else cut :]
    open_at_cut = rest[0][1] if rest else fence
    lines = [line for line, _ in head] + (["```"] if open_at_cut and not final else [])
    parts.append("\n".join(lines).strip("\n"))
    if open_at_cut and not final:
        return [("```", False)] + rest
    return rest


def _short_lines(lines: list[str], width: int):
    for line in lines:
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            cut = cut if cut > width // 2 else width
            yield line[:cut]
            line = line[cut:].lstrip(" ")
        yield line
