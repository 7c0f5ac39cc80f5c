"""Retrieval: hybrid query against the index, score threshold, per-channel source filter."""

from __future__ import annotations

from dataclasses import dataclass


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
