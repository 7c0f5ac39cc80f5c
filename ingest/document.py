"""The data that flows through the ingest pipeline: Document -> Section -> Chunk."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

# Namespace for deterministic point ids: uuid5(NAMESPACE, "source\x1fdoc_id\x1fchunk_no").
POINT_NAMESPACE = uuid.UUID("6f1c2a4e-0d5b-4c53-9a53-64657368626f")


@dataclass(frozen=True)
class Document:
    """One page as a source delivers it, before parsing.

    `format` is one of "markdown", "html", "text", "confluence" (storage format).
    `source` is the source spec it came from (e.g. "confluence:ENG", "files:/abs/wiki").
    """

    source: str
    doc_id: str
    title: str
    body: str
    format: str
    url: str = ""
    updated_at: str = ""  # ISO 8601
    version: str = ""
    breadcrumb: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    space: str = ""

    @property
    def content_hash(self) -> str:
        """Hash of everything that affects the chunks; unchanged hash = skip the page."""
        h = hashlib.sha256()
        for part in (self.title, self.format, self.url, "\x1f".join(self.breadcrumb), self.body):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x1e")
        return h.hexdigest()


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path ("Page > Section > Subsection")."""

    path: tuple[str, ...]
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Chunk:
    """A passage small enough for the embedding model, with what it needs for display."""

    source: str
    doc_id: str
    chunk_no: int
    title: str
    section: str  # heading path below the title, joined with " > "
    url: str  # link to the page, with #anchor when the section has one
    text: str
    doc_hash: str = ""
    updated_at: str = ""
    breadcrumb: tuple[str, ...] = ()
    labels: tuple[str, ...] = field(default=())
    summary: str = (
        ""  # the page's opening sentence(s), embedded with it ("" in the chunk holding them)
    )

    @property
    def point_id(self) -> str:
        return point_id(self.source, self.doc_id, self.chunk_no)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.embedding_text.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def embedding_text(self) -> str:
        """What the models see: title, section path and the page's summary give the
        passage its context."""
        return embedding_text(self.title, self.section, self.summary, self.text)


def embedding_text(title: str, section: str, summary: str, text: str) -> str:
    heading = title if not section else f"{title} > {section}"
    if summary:
        return f"{heading}\n{summary}\n{text}"
    return f"{heading}\n{text}"


def point_id(source: str, doc_id: str, chunk_no: int) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, f"{source}\x1f{doc_id}\x1f{chunk_no}"))
