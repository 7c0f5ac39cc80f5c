"""Retrieval quality on the sample wiki: page-level recall@1, recall@3 and MRR per field mix.

    python -m bench.retrieval_quality [--questions tests/data/retrieval_questions.jsonl]

Each question names the page (doc_id) that answers it; the shipped retriever ranks pages
(bot/ranking.py), and a hit counts when that page is in the top k. "dense" and "sparse"
rank with one field only, for comparison. The larger, untuned benchmark is bench.quality.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.quality.metrics import first_rank, top_pages
from bot.ranking import RankingWeights
from bot.retrieve import Retriever
from ingest.embed import Embedder, resolve_model
from ingest.index import open_index
from ingest.sources.files import FilesSource
from ingest.sync import Syncer

ROOT = Path(__file__).resolve().parent.parent
FIELD_MIXES = {
    "hybrid": RankingWeights(),
    "dense": RankingWeights(fields={"dense": 1.0}),
    "sparse": RankingWeights(fields={"sparse": 1.0}),
}


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(retriever: Retriever, questions: list[dict], mix: str = "hybrid") -> dict:
    """recall@1, recall@3 and MRR (by page) with one field mix; the retriever is left as found."""
    shipped, retriever.weights = retriever.weights, FIELD_MIXES[mix]
    try:
        ranks = []
        for q in questions:
            ranks.append(first_rank(top_pages(retriever, q["question"]), [q["doc_id"]]))
    finally:
        retriever.weights = shipped
    n = len(ranks)
    return {
        "fusion": mix,
        "questions": n,
        "recall@1": sum(1 for r in ranks if r == 1) / n,
        "recall@3": sum(1 for r in ranks if r and r <= 3) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questions", type=Path, default=ROOT / "tests/data/retrieval_questions.jsonl"
    )
    args = parser.parse_args()
    embedder = Embedder(resolve_model(None))
    with open_index(collection="eval", path=Path(tempfile.mkdtemp())) as index:
        Syncer(index, embedder).run(FilesSource(ROOT / "examples" / "wiki"))
        retriever = Retriever(index, embedder)
        questions = load_questions(args.questions)
        for mix in FIELD_MIXES:
            r = evaluate(retriever, questions, mix)
            print(
                f"{r['fusion']:7} n={r['questions']}  recall@1 {r['recall@1']:.3f}  "
                f"recall@3 {r['recall@3']:.3f}  MRR {r['mrr']:.3f}"
            )


if __name__ == "__main__":
    main()
