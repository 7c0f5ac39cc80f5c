"""Per-question measures: does a citation match the linked article, how close is the answer.

Links in ticket histories come in many shapes: a wiki-relative path
(`it/vpn.md`), a full URL (`https://wiki.example.com/it/vpn#setup`), a Confluence
page URL (`…/spaces/IT/pages/12345/VPN`, `…/viewpage.action?pageId=12345`), while a
citation carries the page's own URL (a `file://` URL for files) and its document id
(the wiki-relative path, or the Confluence page id). Both sides are reduced to
comparable keys: the path without scheme, host, fragment or file extension, and
the Confluence page id when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np

from bot.extractive import sentences
from deskbot.core import messages

_PAGE_ID = re.compile(r"/pages/(\d+)(?:/|$)")
_EXTENSIONS = (".md", ".markdown", ".html", ".htm", ".txt", ".rst")
_MARKER = re.compile(r"\s?\[\d{1,3}(?:\s*,\s*\d{1,3})*\](?!\()")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"<?(?:https?|file)://[^\s>)]+>?")
_FORMATTING = re.compile(r"[*_`#>|]+")
_HEADING = re.compile(r"^\*\*\[.*\]\(.*\)\*\*(?:\s*\[\d+\])?$")  # **[Page › Section](url)** [1]
MIN_UNIT_WORDS = 3


def _path_of(link: str) -> tuple[str, str | None]:
    """(normalised path, Confluence page id or None) of a link or wiki-relative path."""
    parts = urlsplit(link.strip())
    page_id = parse_qs(parts.query).get("pageId", [None])[0]
    path = unquote(parts.path).strip("/")
    if match := _PAGE_ID.search("/" + path):
        page_id = page_id or match.group(1)
    for ext in _EXTENSIONS:
        if path.lower().endswith(ext):
            path = path[: -len(ext)]
            break
    if path.lower().endswith("/index"):
        path = path[: -len("/index")]
    return path.lower(), page_id


def _suffix_match(a: str, b: str) -> bool:
    """True when one path is the other, or ends with it at a folder boundary."""
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return long == short or long.endswith("/" + short)


def cites_link(link: str, citation: Mapping[str, str]) -> bool:
    """Whether `citation` (url, doc_id) points at the article `link` names."""
    if not link.strip():
        return False
    link_path, link_id = _path_of(link)
    doc_id = str(citation.get("doc_id") or "")
    url_path, url_id = _path_of(str(citation.get("url") or ""))
    if link_id and link_id in (doc_id, url_id):
        return True
    doc_path = _path_of(doc_id)[0] if doc_id and not doc_id.isdigit() else ""
    return _suffix_match(link_path, doc_path) or _suffix_match(link_path, url_path)


def citation_hit(link: str, citations: Sequence[Mapping[str, str]]) -> bool | None:
    """None when no article was linked; else whether any citation points at it."""
    if not link.strip():
        return None
    return any(cites_link(link, c) for c in citations)


def space_of(source: str, doc_id: str) -> str:
    """The wiki area of a page: the Confluence space key, or the wiki's top folder."""
    kind, _, rest = source.partition(":")
    if kind == "confluence":
        return rest or source
    root = PurePosixPath(rest).name if kind == "files" else (source or "")
    folder = PurePosixPath(doc_id).parts[0] if "/" in doc_id else ""
    return "/".join(p for p in (root, folder) if p) or "(unknown)"


def link_space(link: str) -> str:
    """A space named by a Confluence link (`/spaces/KEY/`), else ''."""
    match = re.search(r"/spaces/([^/]+)", urlsplit(link).path or "")
    return unquote(match.group(1)) if match else ""


def plain_text(markdown: str) -> str:
    """An answer as prose for comparison: no markers, link targets, quotes or intro."""
    text = markdown.replace(messages.EXTRACTIVE_INTRO, " ")
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _MARKER.sub("", text)
    text = _FORMATTING.sub(" ", text)
    return " ".join(text.split())


def answer_units(markdown: str) -> list[str]:
    """The sentences of an answer as plain text, without source headings or the intro."""
    lines = [
        line.strip().lstrip(">").strip()
        for line in markdown.replace(messages.EXTRACTIVE_INTRO, "").splitlines()
        if line.strip() and not _HEADING.match(line.strip())
    ]
    units = [plain_text(s) for s, _ in sentences("\n".join(lines))]
    return [u for u in units if len(u.split()) >= MIN_UNIT_WORDS] or [plain_text(markdown)]


def similarity(embedder, answer: str, reference: str) -> float | None:
    """How close the bot's answer came to the agent's: the best sentence's cosine.

    An answer often quotes several passages of which one carries the answer, so
    each sentence is compared with the agent's reply and the closest one counts;
    the whole text would be diluted by the other quotes.
    """
    units, target = answer_units(answer), plain_text(reference)
    if not target or not any(units):
        return None
    vectors = np.asarray(embedder.encode_queries([target, *units]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return round(float((vectors[1:] @ vectors[0]).max()), 4)
