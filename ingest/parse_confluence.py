"""Confluence storage format (XHTML with ac:/ri: elements) -> blocks.

Lexbor keeps `ac:`/`ri:` tags and attributes as written, but reads the body as HTML,
so three things are fixed first (see `prepare`):

- `<![CDATA[...]]>` would become a comment: its text is unwrapped and escaped instead;
- `<ri:page ... />` and other self-closing non-void tags would stay open and swallow
  what follows: they are written as `<x ...></x>`;
- `<p>` is renamed `<ac:p>`, so a macro inside a paragraph (`<p><ac:structured-macro>
  ...<p>`) is not torn apart by HTML's "a <p> closes the open <p>" rule.

Macros: code/noformat keep their text and language; info/note/warning/tip/panel become
paragraphs prefixed "Info:", "Note:" ... (a panel's title, if any); expand gives its
title then its body; status gives "[TEXT]"; navigation macros (toc, children, ...) are
dropped; other macros keep their body. Links become the linked page's title (or the link
text); user mentions become "@username", or "@user" when only an account id is stored.
Images, emoticons and template placeholders are dropped; task lists become "- [ ]"/"- [x]".
"""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.parse import Block, Heading, clean_inline
from ingest.parse_html import (
    BLOCK_TAGS,
    HtmlRenderer,
    elements,
    fence,
    first_child,
    link_suffix,
    list_item_lines,
    render_blocks,
)

DROP_MACROS = frozenset(
    "toc children pagetree pagetreesearch recently-updated contentbylabel attachments "
    "include excerpt-include livesearch blog-posts gallery profile-picture space-details "
    "create-from-template viewfile view-file listlabels popular-labels related-labels "
    "anchor multimedia widget navmap index recently-updated-dashboard".split()
)
PANELS = {"info": "Info", "note": "Note", "warning": "Warning", "tip": "Tip", "panel": ""}
CODE_MACROS = frozenset({"code", "noformat"})
DROP_ELEMENTS = frozenset(
    {"ac:image", "ac:emoticon", "ac:placeholder", "ac:parameter", "ac:adf-attribute"}
)
VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())
CONFLUENCE_BLOCKS = BLOCK_TAGS | {"ac:p", "ac:layout", "ac:layout-section", "ac:layout-cell"}

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_SELF_CLOSING = re.compile(r"<([A-Za-z][\w:.-]*)((?:\s[^<>]*?)?)\s*/>")
_P_TAG = re.compile(r"<(/?)p(?=[\s>/])", re.I)


def read_confluence(body: str) -> list[Block]:
    tree = LexborHTMLParser(prepare(body))
    root = tree.body or tree.root
    return render_blocks(root, ConfluenceRenderer) if root is not None else []


def prepare(body: str) -> str:
    """Make storage format safe for an HTML parser (see the module docstring)."""
    body = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), body)
    body = _SELF_CLOSING.sub(_open_close, body)
    return _P_TAG.sub(r"<\1ac:p", body)


def _open_close(match: re.Match[str]) -> str:
    tag, attrs = match.group(1), match.group(2)
    if tag.lower() in VOID_TAGS:
        return match.group(0)
    return f"<{tag}{attrs}></{tag}>"


class ConfluenceRenderer(HtmlRenderer):
    handlers = {
        **HtmlRenderer.handlers,
        "ac:structured-macro": "on_macro",
        "ac:macro": "on_macro",
        "ac:link": "on_ac_link",
        "ac:task-list": "on_task_list",
        "ac:adf-extension": "on_adf_extension",
        "time": "on_time",
    }

    block_tags = CONFLUENCE_BLOCKS

    def dropped(self, node: LexborNode, tag: str) -> bool:
        return tag in DROP_ELEMENTS or tag.startswith("ri:") or super().dropped(node, tag)

    # --- macros ------------------------------------------------------------------

    def on_macro(self, node: LexborNode) -> None:
        name = (node.attributes.get("ac:name") or "").lower()
        params = macro_params(node)
        if name in DROP_MACROS:
            return
        if name in CODE_MACROS:
            self.add_block(fence(plain_body(node), params.get("language", "")))
        elif name in PANELS:
            self.add_panel(params.get("title") or PANELS[name], node)
        elif name == "expand":
            self.add_block(clean_inline(params.get("title") or "Details"))
            self.add_body(node)
        elif name == "status":
            self.inline.append(
                f" [{clean_inline(params.get('title') or params.get('colour', ''))}] "
            )
        elif name == "jira":
            self.inline.append(f" {params.get('key', '')} ")
        elif (body := first_child(node, "ac:rich-text-body")) is not None:
            self.walk(body)
        else:
            self.add_block(plain_body(node).strip())

    def add_panel(self, label: str, macro: LexborNode) -> None:
        """The panel's blocks, the first one prefixed with "Note: " (or the panel title)."""
        blocks = self.body_blocks(macro)
        if label:
            for i, block in enumerate(blocks):
                if isinstance(block, str):
                    blocks[i] = f"{clean_inline(label)}: {block}"
                    break
            else:
                blocks.insert(0, f"{clean_inline(label)}:")
        self.flush()
        self.blocks.extend(blocks)

    def add_body(self, macro: LexborNode) -> None:
        self.flush()
        self.blocks.extend(self.body_blocks(macro))

    def body_blocks(self, macro: LexborNode) -> list[Block]:
        """A macro's rich-text body as blocks; headings inside panels become text."""
        body = first_child(macro, "ac:rich-text-body")
        if body is None:
            text = plain_body(macro).strip()
            return [text] if text else []
        return [b.text if isinstance(b, Heading) else b for b in self.sub_blocks(body)]

    # --- inline elements -----------------------------------------------------------

    def on_ac_link(self, node: LexborNode) -> None:
        """A link reads as its text, else the target's title; a mention as @username."""
        body = first_child(node, "ac:link-body")
        if body is None:
            body = first_child(node, "ac:plain-text-link-body")
        text = clean_inline(body.text(deep=True)) if body is not None else ""
        target = next((c for c in elements(node) if (c.tag or "").startswith("ri:")), None)
        if target is not None and target.tag == "ri:user":
            text = "@" + (text.lstrip("@") or mention_name(target))
        elif target is not None and target.tag == "ri:url":
            url = target.attributes.get("ri:value") or ""
            text = (text + link_suffix(text, url)) if text else url
        elif not text and target is not None:
            text = link_target_text(target)
        elif not text:
            text = node.attributes.get("ac:anchor") or ""
        self.inline.append(text)

    def on_time(self, node: LexborNode) -> None:
        self.inline.append(node.attributes.get("datetime") or node.text(deep=True))

    def on_adf_extension(self, node: LexborNode) -> None:
        fallback = first_child(node, "ac:adf-fallback")
        self.walk(fallback if fallback is not None else node)

    def on_task_list(self, node: LexborNode) -> None:
        """`- [x] done` / `- [ ] to do`, nested task lists indented."""
        lines: list[str] = []
        for task in elements(node):
            if task.tag != "ac:task":
                continue
            status = first_child(task, "ac:task-status")
            done = status is not None and status.text(deep=True).strip() == "complete"
            body = first_child(task, "ac:task-body")
            parts = self.sub_texts(body) if body is not None else []
            lines.extend(list_item_lines("- [x] " if done else "- [ ] ", parts))
        self.add_block("\n".join(lines))


def macro_params(node: LexborNode) -> dict[str, str]:
    return {
        (p.attributes.get("ac:name") or "").lower(): p.text(deep=True).strip()
        for p in elements(node)
        if p.tag == "ac:parameter"
    }


def plain_body(node: LexborNode) -> str:
    body = first_child(node, "ac:plain-text-body")
    return body.text(deep=True, strip=False) if body is not None else ""


def mention_name(user: LexborNode) -> str:
    return (user.attributes.get("ri:username") or "").strip() or "user"


def link_target_text(target: LexborNode) -> str:
    attrs = target.attributes
    for key in ("ri:content-title", "ri:filename", "ri:value", "ri:space-key"):
        if value := attrs.get(key):
            return clean_inline(value)
    return ""
