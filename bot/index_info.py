"""What the index holds, as `deskbot status` shows it (locally or through the running bot)."""

from __future__ import annotations

from ingest.index import Index


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
