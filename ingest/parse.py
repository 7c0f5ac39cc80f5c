"""Documents -> sections: a heading path, an anchor and clean text per section.

`parse(doc)` picks a reader by `doc.format`; each reader turns the body into a flat
list of blocks (a `Heading` or a paragraph of text) and `build_sections` turns the
blocks into `Section`s:

- The path is the tuple of heading texts above the text ("Setup", "Linux"). The page
  title is not part of it: a first H1 that repeats the title is dropped.
- Anchors: Markdown, HTML and text use GitHub's slug rules ("Set up SSO" -> "set-up-sso",
  repeats get "-1", "-2"); an HTML heading that has an `id` keeps it. Confluence pages use
  Confluence's own ids: on Cloud (`*.atlassian.net`) the heading text with spaces turned
  into "-" ("Set-up-SSO"), on Server / Data Center the classic "PageTitle-Heading" with
  all whitespace removed ("VPNGuide-SetupSSO").
- Text keeps its shape in plain Markdown: "- " bullets, "1. " numbers, tables as
  `| a | b |` rows, code in ``` fences (verbatim); whitespace elsewhere is collapsed and
  HTML entities are decoded. Links read as their text; an outside (http/https/mailto)
  link whose text does not show its address is followed by it: "portal (https://…)".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from deskbot.core.errors import DeskbotError, DocumentError
from ingest.document import Document, Section


@dataclass(frozen=True)
class Heading:
    """A heading as a reader found it; `anchor` is an id the source gave it, if any."""

    level: int
    text: str
    anchor: str = ""


Block = Heading | str
Reader = Callable[[str], list[Block]]


def parse(doc: Document) -> list[Section]:
    """Split `doc` into sections; an empty page gives []. Raises DocumentError."""
    reader = _reader(doc.format)
    if reader is None:
        raise DocumentError(
            f"{where(doc)}: unknown format {doc.format!r} "
            "(expected markdown, html, text or confluence)"
        )
    if not isinstance(doc.body, str):
        raise DocumentError(f"{where(doc)}: body is {type(doc.body).__name__}, not text")
    if not doc.body.strip():
        return []
    try:
        blocks = reader(doc.body)
    except DeskbotError:
        raise
    except Exception as exc:  # a parser bug or hostile input must name the page
        raise DocumentError(f"{where(doc)}: cannot parse {doc.format}: {exc}") from exc
    return build_sections(blocks, doc.title, _anchor_maker(doc))


def where(doc: Document) -> str:
    """How errors name a document: its source and id."""
    return f"{doc.source} {doc.doc_id}"


def _reader(fmt: str) -> Reader | None:
    if fmt == "markdown":
        from ingest.parse_markdown import read_markdown

        return read_markdown
    if fmt == "html":
        from ingest.parse_html import read_html

        return read_html
    if fmt == "confluence":
        from ingest.parse_confluence import read_confluence

        return read_confluence
    if fmt == "text":
        return read_text
    return None


def read_text(body: str) -> list[Block]:
    """Plain text: paragraphs are separated by blank lines; line breaks inside stay."""
    blocks: list[Block] = []
    for para in re.split(r"\n[ \t\f\v\r]*\n", body.replace("\r\n", "\n")):
        lines = (clean_inline(line) for line in para.split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)
    return blocks


_SPACE = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Collapse any run of whitespace (NBSP and newlines included) to one space."""
    return _SPACE.sub(" ", text).strip()


def build_sections(
    blocks: Sequence[Block], title: str, anchor_for: Callable[[Heading], str]
) -> list[Section]:
    """Group text blocks under the heading path that precedes them."""
    sections: list[Section] = []
    stack: list[tuple[int, str, str]] = []  # (level, text, anchor)
    texts: list[str] = []
    first_h1 = True

    def flush() -> None:
        if texts:
            path = tuple(text for _, text, _ in stack)
            anchor = stack[-1][2] if stack else ""
            sections.append(Section(path=path, text="\n\n".join(texts), anchor=anchor))
            texts.clear()

    for block in blocks:
        if isinstance(block, str):
            if block.strip():
                texts.append(block.strip())
            continue
        heading = clean_inline(block.text)
        if not heading:
            continue
        flush()
        anchor = anchor_for(Heading(block.level, heading, block.anchor))
        if block.level == 1 and first_h1:
            first_h1 = False
            if _same_title(heading, title):
                stack.clear()
                continue
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        stack.append((block.level, heading, anchor))
    flush()
    return sections


def _same_title(heading: str, title: str) -> bool:
    return clean_inline(heading).casefold() == clean_inline(title).casefold()


# --- anchors -------------------------------------------------------------------------


def github_slug(text: str) -> str:
    """GitHub's heading id: lower case, punctuation dropped, spaces -> '-'."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return slug.replace(" ", "-")


class GithubAnchors:
    """Slugs with GitHub's de-duplication: 'faq', 'faq-1', 'faq-2'."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, heading: Heading) -> str:
        if heading.anchor:
            return heading.anchor
        base = github_slug(heading.text)
        count = self.seen.get(base, 0)
        self.seen[base] = count + 1
        return base if count == 0 else f"{base}-{count}"


def confluence_anchor(page_title: str, heading: str, *, cloud: bool) -> str:
    """The id Confluence gives a heading (Cloud editor or classic Server/DC)."""
    if cloud:
        return "-".join(heading.split())
    return "".join(page_title.split()) + "-" + "".join(heading.split())


def is_confluence_cloud(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith(".atlassian.net")


def _anchor_maker(doc: Document) -> Callable[[Heading], str]:
    if doc.format == "confluence":
        cloud = is_confluence_cloud(doc.url)
        return lambda heading: confluence_anchor(doc.title, heading.text, cloud=cloud)
    return GithubAnchors()
