"""Headline numbers of a simulation: coverage, citation hits, similarity, latency, cost."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from deskbot.sim.results import Record


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


@dataclass
class SpaceStats:
    space: str
    questions: int
    answered: int
    answered_share: float | None
    citation_hit_rate: float | None
    median_similarity: float | None


@dataclass
class Summary:
    questions: int
    answered: int
    answered_share: float | None
    with_link: int  # questions whose agent linked an article
    citation_hits: int
    citation_hit_rate: float | None
    median_similarity: float | None
    latency_p50_s: float | None
    latency_p95_s: float | None
    tokens: dict[str, int]  # all questions together, on the cost basis below
    cost_usd: float  # what this run spent on the model
    cost_per_question_usd: float
    cost_basis: str  # "measured" (model runs), "estimated" (extractive runs)
    volume_per_month: int
    projected_monthly_cost_usd: float
    mode: str
    model: str | None  # the model the cost is for
    prices_as_of: str
    by_space: list[SpaceStats] = field(default_factory=list)
    fallback: int = 0  # answers quoting the wiki because the model failed (model runs)
    model_answers: int = 0  # replies the model gave (answers and "not covered")

    @property
    def model_never_answered(self) -> bool:
        """A model run in which the model was asked and never once answered."""
        return self.mode.startswith("model:") and self.fallback > 0 and self.model_answers == 0

    def as_json(self) -> dict:
        return _rounded(asdict(self))


def _rounded(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def space_stats(records: Sequence[Record]) -> list[SpaceStats]:
    """Per wiki area, largest first."""
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(record.space or "(none)", []).append(record)
    stats = []
    for space, group in groups.items():
        answered = sum(r.covered for r in group)
        linked = [r for r in group if r.citation_hit is not None]
        sims = [r.similarity for r in group if r.similarity is not None]
        stats.append(
            SpaceStats(
                space=space,
                questions=len(group),
                answered=answered,
                answered_share=_share(answered, len(group)),
                citation_hit_rate=_share(sum(bool(r.citation_hit) for r in linked), len(linked)),
                median_similarity=statistics.median(sims) if sims else None,
            )
        )
    return sorted(stats, key=lambda s: (-s.questions, s.space))


def summarize(
    records: Sequence[Record],
    *,
    volume: int,
    mode: str,
    model: str | None,
    prices_as_of: str,
) -> Summary:
    """Headline numbers over `records`; cost is projected from the mean cost per question.

    Fallback answers (the model failed) cost nothing but would have cost a model call, so
    they are left out of the mean rather than counted as free.
    """
    answered = sum(r.covered for r in records)
    linked = [r for r in records if r.citation_hit is not None]
    hits = sum(bool(r.citation_hit) for r in linked)
    sims = [r.similarity for r in records if r.similarity is not None]
    latencies = [r.latency_s for r in records]
    estimated = mode == "extractive"
    tokens = {
        key: sum(int((r.estimated_usage if estimated else r.usage).get(key, 0)) for r in records)
        for key in ("prompt_tokens", "completion_tokens", "total_tokens")
    }
    spent = sum(r.cost_usd for r in records)
    basis = [r for r in records if not r.fallback]
    basis_cost = sum(r.estimated_cost_usd if estimated else r.cost_usd for r in basis)
    per_question = basis_cost / len(basis) if basis else 0.0
    return Summary(
        questions=len(records),
        answered=answered,
        answered_share=_share(answered, len(records)),
        with_link=len(linked),
        citation_hits=hits,
        citation_hit_rate=_share(hits, len(linked)),
        median_similarity=statistics.median(sims) if sims else None,
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95),
        tokens=tokens,
        cost_usd=spent,
        cost_per_question_usd=per_question,
        cost_basis="estimated" if estimated else "measured",
        volume_per_month=volume,
        projected_monthly_cost_usd=per_question * volume,
        mode=mode,
        model=model,
        prices_as_of=prices_as_of,
        by_space=space_stats(records),
        fallback=len(records) - len(basis),
        model_answers=sum(r.model is not None for r in records),
    )
