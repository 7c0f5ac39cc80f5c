"""Retrieval: page-level hybrid search, the coverage decision, per-channel source filter.

`Retriever.search` embeds the question, asks the index for each field's own candidates
(dense, BM25), ranks pages by fusing the fields (bot/ranking.py), optionally reorders the
top pages with a local cross-encoder (bot/rerank.py), and returns the best passage of each
page, best page first, as a `SearchResult`: a list of `Hit`s that also carries the
coverage decision (bot/coverage.py). `relevant(result)` is the passages when covered,
else nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.coverage import Coverage, CoverageModel, decide
from bot.ranking import PageEvidence, RankingWeights, rank_pages
from bot.stopwatch import Stopwatch
from ingest.embed import Embedder
from ingest.index import Index, Scored
from ingest.sparse import BM25Encoder

CANDIDATES = 40  # passages each field hands to the page fusion
PASSAGES_PER_PAGE = 2  # the top page may give a second passage when k allows


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


class SearchResult(list):
    """Passages best first (a list of Hit), with the coverage decision for the query and
    the time its stages took (embed, index, rank, coverage)."""

    def __init__(self, hits: list[Hit], coverage: Coverage, stages: Stopwatch) -> None:
        super().__init__(hits)
        self.coverage = coverage
        self.stages = stages


def source_key(spec: str) -> str:
    """A source as stored on chunks: `confluence:KEY` as is, a folder as `files:/abs/path`."""
    if spec.startswith(("confluence:", "files:")):
        return spec
    from pathlib import Path

    return "files:" + str(Path(spec).expanduser().resolve())


class Retriever:
    """Page-ranked hybrid search over the index, with a coverage decision per query."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        *,
        sparse: BM25Encoder | None = None,
        top_k: int = 8,
        threshold: float = 0.2,
        coverage_threshold: float | None = None,
        weights: RankingWeights | None = None,
        reranker=None,
        coverage_model: CoverageModel | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.sparse = sparse or BM25Encoder()
        self.top_k = top_k
        self.threshold = threshold  # hard floor: a best cosine below it is never covered
        self.coverage_threshold = coverage_threshold
        self.weights = weights or RankingWeights()
        self.reranker = reranker
        self.coverage_model = coverage_model or CoverageModel.load()

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        sources: Sequence[str] | None = None,
        cross_language: bool = False,
    ) -> SearchResult:
        """Best passages, best page first; an empty or word-less query finds nothing."""
        stages = Stopwatch()
        pages = self.rank(query, sources=sources, stages=stages)
        hits = passages(pages, k or self.top_k)
        coverage = decide(
            query,
            pages,
            self.coverage_model,
            floor=self.threshold,
            threshold=self.coverage_threshold,
            cross_language=cross_language,
        )
        stages.lap("coverage")
        return SearchResult(hits, coverage, stages)

    def rank(
        self,
        query: str,
        *,
        sources: Sequence[str] | None = None,
        stages: Stopwatch | None = None,
    ) -> list[PageEvidence]:
        """Every candidate page for `query`, best first (`stages` times each step)."""
        stages = stages or Stopwatch()
        if not query.strip():
            return []
        dense = self.embedder.encode_queries([query])[0]
        stages.lap("embed")
        fields = self.index.candidates(
            dense,
            self.sparse.encode_query(query),
            limit=CANDIDATES,
            sources=[source_key(s) for s in sources] if sources else None,
        )
        stages.lap("index")
        pages = rank_pages(fields, self.weights)
        if self.reranker is not None:
            pages = self.reranker.rerank(query, pages)
        stages.lap("rank")
        return pages

    def relevant(self, hits: list[Hit]) -> list[Hit]:
        """The passages when the search judged the question covered, else [] (`hits` is
        what `search` returned: a SearchResult)."""
        assert isinstance(hits, SearchResult)
        return list(hits) if hits.coverage.covered else []


def passages(pages: Sequence[PageEvidence], k: int) -> list[Hit]:
    """The best passage of each page in page order; the top page gives up to
    PASSAGES_PER_PAGE (the best page often needs two passages to answer)."""
    hits: list[Hit] = []
    for n, page in enumerate(pages):
        hits.extend(_hit(s) for s in page.passages[: PASSAGES_PER_PAGE if n == 0 else 1])
        if len(hits) >= k:
            break
    return hits[:k]


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
