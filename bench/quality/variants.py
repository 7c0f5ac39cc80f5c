"""The retrieval changes one at a time, page-level figures per corpus: the table in README.md.

    python -m bench.quality.variants [--split test|tune|all]

Row "0.1 as measured" is the figure stored in results/baseline-<split>.json, measured
with deskbot 0.1's own code (commit 391f835: Qdrant-side RRF k=2, dense:sparse 2:1,
pages in order of their first passage). The other rows run the current code with the
change switched on or off.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from bench.quality import questions as qs
from bench.quality.corpora import CORPORA
from bench.quality.indexing import index_corpus, load_embedder
from bench.quality.metrics import Ranking, ranking
from bot.ranking import RankingWeights
from bot.retrieve import Retriever

RESULTS = Path(__file__).resolve().parent / "results"
OLD_FUSION = RankingWeights(fields={"dense": 2.0, "sparse": 1.0}, rrf_k=2.0)
VARIANTS = (
    ("0.1 fusion, no summary (re-run)", False, OLD_FUSION),
    ("+ passage fusion k=5, dense:sparse 3:1", False, RankingWeights()),
    ("+ page summary in embedding text (shipped)", True, RankingWeights()),
)


def corpus_ranking(retriever: Retriever, questions: list[qs.Question]) -> Ranking:
    return ranking(retriever, ((q.question, q.pages) for q in questions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=qs.SPLITS, default="test")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    embedder = load_embedder()
    baseline = RESULTS / f"baseline-{args.split}.json"
    if baseline.exists():
        for row in json.loads(baseline.read_text()):
            print(f"{row['corpus']:9} {'0.1 as measured':44} {Ranking(**row['ranking']).line()}")
    for name in sorted(CORPORA):
        questions = qs.covered(name, args.split)
        for summaries in (False, True):
            with index_corpus(CORPORA[name], embedder, summaries=summaries) as index:
                for label, wants_summary, weights in VARIANTS:
                    if wants_summary == summaries:
                        retriever = Retriever(index, embedder, weights=weights)
                        print(f"{name:9} {label:44} {corpus_ranking(retriever, questions).line()}")


if __name__ == "__main__":
    main()
