"""Page-level ranking: passage candidates from each field, fused, then grouped by page.

Each field (dense cosine, BM25 over the text) hands over its best passages; a passage's
fused score is weighted reciprocal-rank fusion, sum over fields of weight / (k + rank),
and a page ranks by its best passage. Its passages are kept best first, and each page
remembers its rank in every field (the coverage decision reads whether they agree).

Chosen on the tuning half of bench/quality and the sample wiki (bench/quality/README.md):
passage-level fusion with k=5 and dense:sparse 3:1 was best or tied on all three; fusing
page ranks instead, adding a page's other passages as support, and a separate
title/summary lexical field were measured and did not help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ingest.index import Scored

PageKey = tuple[str, str]  # (source, doc_id)


@dataclass(frozen=True)
class RankingWeights:
    fields: Mapping[str, float] = field(default_factory=lambda: {"dense": 3.0, "sparse": 1.0})
    rrf_k: float = 5.0


@dataclass
class PageEvidence:
    """One page: its score (its best passage's), passages best first, rank in each field."""

    key: PageKey
    score: float = 0.0
    passages: list[Scored] = field(default_factory=list)
    ranks: dict[str, int] = field(default_factory=dict)  # field -> page rank (1-based)

    @property
    def cosine(self) -> float:
        """The best dense cosine among the page's retrieved passages."""
        return max((p.cosine for p in self.passages), default=0.0)


def page_key(scored: Scored) -> PageKey:
    return (scored.payload.get("source", ""), scored.payload.get("doc_id", ""))


def fuse_passages(
    fields: Mapping[str, Sequence[Scored]], weights: RankingWeights
) -> list[tuple[Scored, float]]:
    """Every candidate passage with its fused score, best first."""
    scores: dict[str, float] = {}
    found: dict[str, Scored] = {}
    for name, results in fields.items():
        weight = weights.fields.get(name, 0.0)
        if weight <= 0:
            continue
        for rank, scored in enumerate(results, 1):
            found.setdefault(scored.id, scored)
            scores[scored.id] = scores.get(scored.id, 0.0) + weight / (weights.rrf_k + rank)
    return sorted(((found[i], s) for i, s in scores.items()), key=lambda x: -x[1])


def rank_pages(
    fields: Mapping[str, Sequence[Scored]], weights: RankingWeights | None = None
) -> list[PageEvidence]:
    """Pages best first, each ranked by its best fused passage."""
    weights = weights or RankingWeights()
    pages: dict[PageKey, PageEvidence] = {}
    for scored, score in fuse_passages(fields, weights):
        page = pages.setdefault(page_key(scored), PageEvidence(page_key(scored), score))
        page.passages.append(scored)
    for name, results in fields.items():
        if weights.fields.get(name, 0.0) <= 0:
            continue
        order = list(dict.fromkeys(page_key(s) for s in results))
        for rank, key in enumerate(order, 1):
            pages[key].ranks[name] = rank
    return list(pages.values())
