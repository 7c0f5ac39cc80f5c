"""Page-level ranking figures and the abstention curve."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def top_pages(retriever, question: str, depth: int = 10) -> list[str]:
    """The doc ids of the first `depth` pages the retriever ranks for `question`."""
    return [page.key[1] for page in retriever.rank(question)[:depth]]


def ranking(retriever, questions: Iterable[tuple[str, Sequence[str]]]) -> Ranking:
    """The ranking figures over (question, the doc ids that answer it) pairs."""
    return Ranking.of([first_rank(top_pages(retriever, q), answers) for q, answers in questions])


def first_rank(ranked_pages: Sequence[str], answers: Sequence[str]) -> int | None:
    """1-based rank of the first page that answers, None when none is in the list."""
    for rank, page in enumerate(ranked_pages, 1):
        if page in answers:
            return rank
    return None


@dataclass(frozen=True)
class Ranking:
    questions: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float

    @classmethod
    def of(cls, ranks: Sequence[int | None]) -> Ranking:
        n = len(ranks) or 1

        def recall(k: int) -> float:
            return sum(1 for r in ranks if r is not None and r <= k) / n

        mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / n
        return cls(len(ranks), recall(1), recall(5), recall(10), mrr)

    def line(self) -> str:
        return (
            f"n={self.questions:3d}  recall@1 {self.recall_at_1:.3f}  recall@5 "
            f"{self.recall_at_5:.3f}  recall@10 {self.recall_at_10:.3f}  MRR@10 {self.mrr_at_10:.3f}"
        )


@dataclass(frozen=True)
class Abstention:
    covered_refused: float  # share of covered questions answered "not covered" (wrong)
    off_topic_refused: float  # share of off-topic questions answered "not covered" (right)

    def line(self) -> str:
        return (
            f"covered wrongly refused {self.covered_refused:6.1%}   "
            f"off-topic rightly refused {self.off_topic_refused:6.1%}"
        )


def abstention(covered_refused: Sequence[bool], off_topic_refused: Sequence[bool]) -> Abstention:
    def share(flags: Sequence[bool]) -> float:
        return sum(flags) / len(flags) if flags else 0.0

    return Abstention(share(covered_refused), share(off_topic_refused))


def curve(
    covered_scores: Sequence[float], off_topic_scores: Sequence[float], thresholds: Sequence[float]
) -> list[tuple[float, Abstention]]:
    """Refusal shares if "not covered" meant score < threshold, for each threshold."""
    return [
        (
            t,
            abstention([s < t for s in covered_scores], [s < t for s in off_topic_scores]),
        )
        for t in thresholds
    ]
