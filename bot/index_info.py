"""What the index holds and what a search finds, as `deskbot status` and `deskbot search`
show them (locally or through the running bot)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ingest.index import Index

if TYPE_CHECKING:
    from bot.retrieve import Retriever


def index_info(index: Index) -> dict:
    """Location, model, and pages/chunks/last sync per source (JSON-ready)."""
    meta = index.read_meta()
    counts = index.source_counts() if meta else {}
    return {
        "location": index.location,
        "model": meta.model if meta else None,
        "dimension": meta.dimension if meta else None,
        "language": meta.language if meta else None,
        "sources": {
            source: {
                "pages": pages,
                "chunks": chunks,
                "last_sync": (meta.syncs.get(source) or {}).get("at") if meta else None,
            }
            for source, (pages, chunks) in sorted(counts.items())
        },
    }


def search_json(
    retriever: Retriever, question: str, k: int | None, sources: Sequence[str] | None
) -> dict:
    """{"hits", "coverage", "empty"} for `question` (JSON-ready); "empty": nothing found
    because the index holds nothing."""
    hits = retriever.search(question, k=k, sources=sources or None)
    return {
        "hits": [h.as_json() for h in hits],
        "coverage": hits.coverage.as_json(),
        "empty": not hits and retriever.index.count() == 0,
    }
