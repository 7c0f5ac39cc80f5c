"""Does the wiki cover the question? A decision from several retrieval signals.

One dense-cosine threshold cannot tell "covered, worded differently" from "off-topic,
shares a word or two": both land around the same cosine. The signals used here:

- cosine: the best dense cosine of the top page;
- margin: how far the top page's cosine stands above the next pages' (a clear winner);
- terms: the share of the question's key terms found in the top page's passages, title
  and section (an off-topic question about the canteen rarely finds "canteen" anywhere);
- agree: whether the dense and the lexical field both rank the top page near the top.

They are combined by a logistic model whose weights are fitted on the tuning half of
bench/quality (`python -m bench.quality.fit`) and shipped in bot/data/coverage.json; the
question counts as covered when the model's confidence reaches the threshold
(COVERAGE_THRESHOLD, default in that file). When the question is in another language
than the wiki and the search could not translate it, word overlap means nothing, so the
"cross_language" weights (dense signals only) decide.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.ranking import PageEvidence
from bot.terms import STOPWORDS
from ingest.sparse import term_set, terms

WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "coverage.json"
FEATURES = ("cosine", "margin", "terms", "agree")
NEAR_TOP = 3  # "agree": the top page is within this rank in every field


@dataclass(frozen=True)
class Coverage:
    covered: bool
    confidence: float  # the model's probability that the wiki covers the question
    signals: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "covered": self.covered,
            "confidence": round(self.confidence, 4),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
        }


@dataclass(frozen=True)
class CoverageModel:
    """Logistic weights per signal set ("same_language", "cross_language") + threshold."""

    weights: dict[str, dict[str, float]]
    threshold: float

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> CoverageModel:
        return _load(str(path))

    def confidence(self, signals: dict[str, float], kind: str = "same_language") -> float:
        weights = self.weights[kind]
        z = weights.get("bias", 0.0) + sum(
            weights.get(name, 0.0) * value for name, value in signals.items()
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@lru_cache(maxsize=4)
def _load(path: str) -> CoverageModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return CoverageModel(weights=data["weights"], threshold=float(data["threshold"]))


def signals(question: str, pages: Sequence[PageEvidence]) -> dict[str, float]:
    """The coverage signals of a ranked list of pages for `question` (all in [0, 1])."""
    if not pages:
        return dict.fromkeys(FEATURES, 0.0)
    top = pages[0]
    rest = sorted((p.cosine for p in pages[1:6]), reverse=True)
    margin = top.cosine - (sum(rest) / len(rest)) if rest else top.cosine
    return {
        "cosine": top.cosine,
        "margin": max(0.0, margin),
        "terms": term_share(question, top),
        "agree": 1.0 if top.ranks and all(r <= NEAR_TOP for r in top.ranks.values()) else 0.0,
    }


def question_terms(question: str) -> list[str]:
    """The question's key terms, in the index's own (stemmed) form, minus filler words."""
    return [t for t in terms(question) if t not in STOPWORDS]


def term_share(question: str, page: PageEvidence) -> float:
    """Share of the question's distinct key terms that occur in the page's passages."""
    wanted = set(question_terms(question))
    if not wanted:
        return 0.0
    found = term_set(
        " ".join(
            f"{p.get('title', '')} {p.get('section', '')} {p.get('text', '')}"
            for p in (passage.payload for passage in page.passages)
        )
    )
    return len(wanted & found) / len(wanted)


def decide(
    question: str,
    pages: Sequence[PageEvidence],
    model: CoverageModel,
    *,
    floor: float,
    threshold: float | None = None,
    cross_language: bool = False,
) -> Coverage:
    """Covered or not, with the confidence and the signals behind it. A top cosine below
    `floor` is never covered, whatever the model's confidence."""
    found = signals(question, pages)
    kind = "cross_language" if cross_language else "same_language"
    confidence = model.confidence(found, kind) if pages else 0.0
    limit = model.threshold if threshold is None else threshold
    covered = bool(pages) and confidence >= limit and found["cosine"] >= floor
    return Coverage(covered=covered, confidence=confidence, signals=found)
