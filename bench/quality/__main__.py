"""Answer quality on documentation nobody tuned for: page ranking and honest abstention.

    python -m bench.quality [--split test|tune|all] [--corpus git --corpus handbook]
                            [--misses] [--json FILE]

For each corpus (built from Debian packages by bench/quality/corpora.py, cached in
bench/corpus/), the shipped pipeline ranks pages for every covered question: page-level
recall@1/@5/@10 and MRR@10 (a hit is any page listed for the question). Abstention runs
the real Answerer in extractive mode (no model) over the covered questions and the
off-topic ones against the same index: the share of covered questions wrongly answered
"not covered" and of off-topic questions rightly so, at the shipped setting, then the
curve over the coverage setting. Report figures on "test" (the held-back half); tune on
"tune".
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from bench.quality import questions as qs
from bench.quality.corpora import CORPORA
from bench.quality.evaluate import CorpusResult, evaluate_corpus
from bench.quality.indexing import index_corpus, load_embedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=qs.SPLITS, default="test")
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    parser.add_argument("--misses", action="store_true", help="List questions ranked badly.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    parser.add_argument("--embedding-model", help="Another sentence-transformers model/folder.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in ("sentence_transformers", "bot.answer"):
        logging.getLogger(name).setLevel(logging.WARNING)
    embedder = load_embedder(args.embedding_model)
    results: list[CorpusResult] = []
    for name in args.corpus or sorted(CORPORA):
        started = time.monotonic()
        with index_corpus(CORPORA[name], embedder) as index:
            result = evaluate_corpus(name, index, embedder, args.split)
        results.append(result)
        print(result.report(misses=args.misses))
        print(f"  ({time.monotonic() - started:.0f} s)\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps([r.as_json() for r in results], indent=2) + "\n")


if __name__ == "__main__":
    main()
