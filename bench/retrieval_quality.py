"""Retrieval quality on the sample wiki: recall@1, recall@3 and MRR per fusion mode.

    python -m bench.retrieval_quality [--questions tests/data/retrieval_questions.jsonl]

Each question names the page (doc_id) that answers it; a hit counts when any of the
top-k passages comes from that page.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bot.retrieve import Retriever
from ingest.embed import Embedder, resolve_model
from ingest.index import open_index
from ingest.sources.files import FilesSource
from ingest.sync import Syncer

ROOT = Path(__file__).resolve().parent.parent


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(retriever: Retriever, questions: list[dict], fusion: str, depth: int = 10) -> dict:
    """recall@1, recall@3 and MRR (by page) for one fusion mode."""
    retriever.fusion = fusion
    ranks = []
    for q in questions:
        pages = []
        for hit in retriever.search(q["question"], k=depth):
            if hit.doc_id not in pages:
                pages.append(hit.doc_id)
        ranks.append(pages.index(q["doc_id"]) + 1 if q["doc_id"] in pages else None)
    n = len(ranks)
    return {
        "fusion": fusion,
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
        for fusion in ("hybrid", "dense", "sparse"):
            r = evaluate(retriever, questions, fusion)
            print(
                f"{r['fusion']:7} n={r['questions']}  recall@1 {r['recall@1']:.3f}  "
                f"recall@3 {r['recall@3']:.3f}  MRR {r['mrr']:.3f}"
            )


if __name__ == "__main__":
    main()
