"""Retrieval: hybrid query against the index, score threshold, per-channel source filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.embed import Embedder
from ingest.index import Index, Scored
from ingest.sparse import BM25Encoder


@dataclass(frozen=True)
class Hit:
    """One retrieved passage, ready to cite."""

    point_id: str
    score: float  # relevance in [0, 1]: the dense cosine similarity of the passage
    title: str
    section: str
    url: str
    source: str
    doc_id: str
    chunk_no: int
    text: str
    updated_at: str = ""
    breadcrumb: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "section": self.section,
            "url": self.url,
            "source": self.source,
            "doc_id": self.doc_id,
            "score": round(self.score, 4),
            "text": self.text,
        }


def source_key(spec: str) -> str:
    """A source as stored on chunks: `confluence:KEY` as is, a folder as `files:/abs/path`."""
    if spec.startswith(("confluence:", "files:")):
        return spec
    from pathlib import Path

    return "files:" + str(Path(spec).expanduser().resolve())


class Retriever:
    """Hybrid search over the index; scores are dense cosine, compared to `threshold`."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        *,
        sparse: BM25Encoder | None = None,
        top_k: int = 5,
        threshold: float = 0.35,
        fusion: str = "hybrid",
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.sparse = sparse or BM25Encoder()
        self.top_k = top_k
        self.threshold = threshold
        self.fusion = fusion

    def search(
        self, query: str, *, k: int | None = None, sources: Sequence[str] | None = None
    ) -> list[Hit]:
        """Best passages first; an empty or word-less query finds nothing."""
        if not query.strip():
            return []
        dense = self.embedder.encode_queries([query])[0]
        scored = self.index.query(
            dense,
            self.sparse.encode_query(query),
            limit=k or self.top_k,
            sources=[source_key(s) for s in sources] if sources else None,
            fusion=self.fusion,
        )
        return [_hit(s) for s in scored]

    def relevant(self, hits: list[Hit]) -> list[Hit]:
        return [h for h in hits if h.score >= self.threshold]


def _hit(scored: Scored) -> Hit:
    p = scored.payload
    return Hit(
        point_id=scored.id,
        score=max(0.0, min(1.0, scored.cosine)),
        title=p.get("title", ""),
        section=p.get("section", ""),
        url=p.get("url", ""),
        source=p.get("source", ""),
        doc_id=p.get("doc_id", ""),
        chunk_no=int(p.get("chunk_no", 0)),
        text=p.get("text", ""),
        updated_at=p.get("updated_at", ""),
        breadcrumb=tuple(p.get("breadcrumb") or ()),
    )
