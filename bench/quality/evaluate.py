"""One corpus: rank pages for its questions, and measure abstention through the Answerer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bench.quality import questions as qs
from bench.quality.metrics import (
    Abstention,
    Ranking,
    abstention,
    curve,
    first_rank,
    top_pages,
)
from bot.store import Store
from bot.wiring import build_answerer, build_retriever
from deskbot.core.config import Settings

THRESHOLDS = tuple(round(0.05 * n, 2) for n in range(2, 19))


@dataclass
class CorpusResult:
    corpus: str
    split: str
    ranking: Ranking
    shipped: Abstention
    near_miss_refused: float
    curve: list[tuple[float, Abstention]]
    cosine_curve: list[tuple[float, Abstention]] = field(default_factory=list)
    misses: list[tuple[str, str, list[str], int | None]] = field(default_factory=list)

    def report(self, misses: bool = False) -> str:
        lines = [
            f"== {self.corpus} ({self.split} half)",
            f"  pages    {self.ranking.line()}",
            f"  shipped  {self.shipped.line()}   (near misses refused {self.near_miss_refused:.1%})",
            "  curve    setting: covered refused / off-topic refused",
        ]
        lines[-1] += "   (cosine alone, for comparison)"
        lines += [
            f"           {t:4.2f}: {a.covered_refused:6.1%} / {a.off_topic_refused:6.1%}"
            f"        {c.covered_refused:6.1%} / {c.off_topic_refused:6.1%}"
            for (t, a), (_, c) in zip(self.curve, self.cosine_curve, strict=True)
        ]
        if misses:
            lines.append("  ranked badly (question -> top pages; rank of an answer):")
            lines += [f"   {q} {text!r} -> {top[:3]}; {rank}" for q, text, top, rank in self.misses]
        return "\n".join(lines)

    def as_json(self) -> dict:
        data = asdict(self)
        data["curve"] = [{"setting": t, **asdict(a)} for t, a in self.curve]
        data["cosine_curve"] = [{"setting": t, **asdict(a)} for t, a in self.cosine_curve]
        return data


def coverage_scores(retriever, question: str) -> tuple[float, float]:
    """(the shipped coverage confidence, the top page's dense cosine)."""
    coverage = retriever.search(question).coverage
    return coverage.confidence, coverage.signals.get("cosine", 0.0)


def evaluate_corpus(name: str, index, embedder, split: str) -> CorpusResult:
    settings = Settings()  # the shipped defaults: no model, default threshold
    retriever = build_retriever(settings, index=index, embedder=embedder)
    answerer = build_answerer(settings, retriever=retriever, store=Store(":memory:"))
    covered = qs.covered(name, split)
    off_topic = qs.off_topic(split)
    ranks, misses = [], []
    for q in covered:
        pages = top_pages(retriever, q.question)
        rank = first_rank(pages, q.pages)
        ranks.append(rank)
        if rank is None or rank > 1:
            misses.append((q.id, q.question, pages, rank))
    refused_covered = [not answerer.answer(q.question).covered for q in covered]
    refused_off = [not answerer.answer(q.question).covered for q in off_topic]
    near = [r for q, r in zip(off_topic, refused_off, strict=True) if q.near_miss]
    scores_covered = [coverage_scores(retriever, q.question) for q in covered]
    scores_off = [coverage_scores(retriever, q.question) for q in off_topic]
    return CorpusResult(
        corpus=name,
        split=split,
        ranking=Ranking.of(ranks),
        shipped=abstention(refused_covered, refused_off),
        near_miss_refused=sum(near) / len(near) if near else 0.0,
        curve=curve([s[0] for s in scores_covered], [s[0] for s in scores_off], THRESHOLDS),
        cosine_curve=curve([s[1] for s in scores_covered], [s[1] for s in scores_off], THRESHOLDS),
        misses=misses,
    )
