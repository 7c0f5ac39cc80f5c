"""Fit the coverage decision's weights on the tuning half: writes bot/data/coverage.json.

    python -m bench.quality.fit [--max-refused 0.03]

Positives: the tuning half's covered questions against their own corpus. Negatives: the
tuning half's off-topic questions against every corpus. The signals are those the shipped
retriever computes (bot/coverage.py); a logistic regression (scikit-learn) gives the
weights, and the threshold is the highest one that refuses at most --max-refused of the
covered tuning questions. The held-back ("test") half is never looked at here.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import UTC, datetime

import numpy as np

from bench.quality import questions as qs
from bench.quality.corpora import CORPORA
from bench.quality.indexing import index_corpus, load_embedder
from bot.coverage import FEATURES, WEIGHTS_FILE, signals
from bot.retrieve import Retriever

CROSS_FEATURES = ("cosine", "margin")


def collect(split: str = "tune") -> tuple[list[dict], list[int], list[str]]:
    """Signals, labels (1 covered) and each row's corpus."""
    embedder = load_embedder()
    rows, labels, corpora = [], [], []
    for name, corpus in sorted(CORPORA.items()):
        with index_corpus(corpus, embedder) as index:
            retriever = Retriever(index, embedder)
            for group, label in ((qs.covered(name, split), 1), (qs.off_topic(split), 0)):
                for q in group:
                    rows.append(signals(q.question, retriever.rank(q.question)))
                    labels.append(label)
                    corpora.append(name)
    return rows, labels, corpora


def fit(rows: list[dict], labels: list[int], features: tuple[str, ...]) -> tuple[dict, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r[f] for f in features] for r in rows])
    model = LogisticRegression(C=10.0, max_iter=1000).fit(x, labels)
    weights = {"bias": round(float(model.intercept_[0]), 3)}
    weights.update({f: round(float(w), 3) for f, w in zip(features, model.coef_[0], strict=True)})
    return weights, model.predict_proba(x)[:, 1]


def pick_threshold(scores: np.ndarray, labels: list[int], max_refused: float) -> float:
    """The highest threshold (in 0.01 steps) refusing at most `max_refused` of covered."""
    covered = np.sort(scores[np.array(labels) == 1])
    allowed = int(max_refused * len(covered))
    return float(np.floor(covered[allowed] * 100) / 100)


def per_corpus_threshold(
    scores: np.ndarray, labels: list[int], corpora: list[str], max_refused: float
) -> float:
    """The highest threshold refusing at most `max_refused` of each corpus's covered."""
    names, labelled = np.array(corpora), np.array(labels)
    return min(
        pick_threshold(scores[names == n], list(labelled[names == n]), max_refused)
        for n in sorted(set(corpora))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-refused", type=float, default=0.03)
    parser.add_argument(
        "--per-corpus",
        action="store_true",
        help="hold --max-refused for each corpus, not for both together",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows, labels, corpora = collect()
    same, scores = fit(rows, labels, FEATURES)
    cross, _ = fit(rows, labels, CROSS_FEATURES)
    threshold = pick_threshold(scores, labels, args.max_refused)
    if args.per_corpus:
        threshold = per_corpus_threshold(scores, labels, corpora, args.max_refused)
    off = scores[np.array(labels) == 0]
    print(
        f"weights {same}\ncross-language {cross}\nthreshold {threshold:.2f}: "
        f"off-topic refused on tune {np.mean(off < threshold):.1%}"
    )
    data = {
        "about": (
            "Coverage decision (bot/coverage.py): logistic weights over retrieval signals, "
            "fitted by `python -m bench.quality.fit` on the tuning half of bench/quality "
            f"({sum(labels)} covered, {len(labels) - sum(labels)} off-topic), "
            f"{datetime.now(UTC).date().isoformat()}. covered when confidence >= threshold."
        ),
        "threshold": threshold,
        "weights": {"same_language": same, "cross_language": cross},
    }
    WEIGHTS_FILE.write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
