"""Pseudo-relevance feedback, measured (tuning half by default): a second search whose query
is widened by what the first search found.

    python -m bench.quality.prf [--split tune|test|all]

- dense (Rocchio): q' = normalise(q + a * mean of the dense vectors of the best passage of
  the first search's top-k pages), searched again with the same sparse query;
- sparse (RM3-style): the first search's top-k pages' passages give their most weighted
  terms (term frequency in those passages, times the page's fused score, times an IDF taken
  over the whole collection or, "local", over the first search's candidates only), added to
  the BM25 query with weight w; the dense query is unchanged.

Each prints page-level figures per corpus (git, handbook) and on the sample wiki. Not shipped:
none won on the tuning half (bench/quality/README.md). The passage vectors are read from the
embedded Edge index's shard directly (the Index contract keeps vectors in the engine).
"""

from __future__ import annotations

import argparse
import logging
import math
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from bench.quality import questions as qs
from bench.quality.corpora import CORPORA
from bench.quality.indexing import index_corpus, load_embedder
from bench.quality.metrics import ranking
from bench.retrieval_quality import load_questions
from bot.ranking import RankingWeights, rank_pages
from bot.retrieve import CANDIDATES, Retriever
from ingest.index import DENSE
from ingest.sparse import SparseVector, term_id, term_set, terms

ROOT = Path(__file__).resolve().parents[2]


class DensePRF(Retriever):
    def __init__(self, *args, alpha: float, k: int, extra: float = 0.0, **kw) -> None:
        super().__init__(*args, **kw)
        self.alpha, self.k, self.extra = alpha, k, extra

    def rank(self, query, *, sources=None, stages=None):
        first = super().rank(query)
        if not first:
            return first
        ids = [page.passages[0].id for page in first[: self.k]]
        points = self.index.shard.retrieve(ids, with_payload=False, with_vector=[DENSE])
        vectors = np.array([p.vector[DENSE] for p in points], dtype=np.float32)
        dense = self.embedder.encode_queries([query])[0]
        widened = dense + self.alpha * vectors.mean(axis=0)
        widened /= np.linalg.norm(widened)
        sparse = self.sparse.encode_query(query)
        fields = self.index.candidates(widened, sparse, limit=CANDIDATES)
        if not self.extra:
            return rank_pages(fields, self.weights)
        # the widened query's dense field fused beside the first search's own fields
        both = dict(self.index.candidates(dense, sparse, limit=CANDIDATES), prf=fields[DENSE])
        weights = RankingWeights({**self.weights.fields, "prf": self.extra}, self.weights.rrf_k)
        return rank_pages(both, weights)


class SparsePRF(Retriever):
    def __init__(self, *args, weight: float, k: int, n_terms: int, idf=None, **kw) -> None:
        super().__init__(*args, **kw)
        self.weight, self.k, self.n_terms, self.idf = weight, k, n_terms, idf

    def rank(self, query, *, sources=None, stages=None):
        first = super().rank(query)
        if not first:
            return first
        idf = self.idf or _local_idf(first)
        own = term_set(query)
        mass: Counter[str] = Counter()
        for page in first[: self.k]:
            words = [w for p in page.passages for w in terms(p.payload.get("text", ""))]
            for word, tf in Counter(words).items():
                if word not in own:
                    mass[word] += page.score * tf / max(len(words), 1) * idf.get(word, 0.0)
        extra = [w for w, _ in mass.most_common(self.n_terms)]
        base = self.sparse.encode_query(query)
        weights = dict(zip(base.indices, base.values, strict=True))
        for word in extra:
            weights.setdefault(term_id(word), self.weight)
        ids = sorted(weights)
        sparse = SparseVector(ids, [weights[i] for i in ids])
        dense = self.embedder.encode_queries([query])[0]
        fields = self.index.candidates(dense, sparse, limit=CANDIDATES)
        return rank_pages(fields, self.weights)


def _local_idf(pages) -> dict[str, float]:
    docs = [term_set(p.payload.get("text", "")) for page in pages for p in page.passages]
    df = Counter(w for d in docs for w in d)
    return {w: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for w, n in df.items()}


def collection_idf(index) -> dict[str, float]:
    docs = [
        term_set(payload.get("text", ""))
        for _, payload in index.scroll(list(index.source_counts()), ["text"])
    ]
    df = Counter(w for d in docs for w in d)
    return {w: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for w, n in df.items()}


def variants(idf):
    yield "shipped", Retriever, {}
    for k in (3, 5):
        for a in (0.3, 0.5, 1.0):
            yield f"dense PRF a={a} k={k}", DensePRF, {"alpha": a, "k": k}
            for extra in (1.0, 3.0):
                yield (
                    f"dense PRF a={a} k={k} +field {extra}",
                    DensePRF,
                    dict(alpha=a, k=k, extra=extra),
                )
    for k in (3, 5):
        for n in (3, 5, 10):
            for w in (0.3, 0.5):
                yield (
                    f"sparse PRF k={k} terms={n} w={w}",
                    SparsePRF,
                    dict(weight=w, k=k, n_terms=n, idf=idf),
                )
                yield (
                    f"sparse PRF local k={k} terms={n} w={w}",
                    SparsePRF,
                    dict(weight=w, k=k, n_terms=n),
                )


def corpus_line(retriever, questions) -> str:
    return ranking(retriever, ((q.question, q.pages) for q in questions)).line()


def wiki_line(retriever, questions) -> str:
    return ranking(retriever, ((q["question"], [q["doc_id"]]) for q in questions)).line()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=qs.SPLITS, default="tune")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    embedder = load_embedder()
    from ingest.index import open_index
    from ingest.sources.files import FilesSource
    from ingest.sync import Syncer

    with open_index(collection="wiki", path=Path(tempfile.mkdtemp())) as index:
        Syncer(index, embedder).run(FilesSource(ROOT / "examples" / "wiki"))
        questions = load_questions(ROOT / "tests" / "data" / "retrieval_questions.jsonl")
        idf = collection_idf(index)
        for label, cls, kw in variants(idf):
            print(f"{'wiki':9} {label:44} {wiki_line(cls(index, embedder, **kw), questions)}")
    for name in sorted(CORPORA):
        questions = qs.covered(name, args.split)
        with index_corpus(CORPORA[name], embedder) as index:
            idf = collection_idf(index)
            for label, cls, kw in variants(idf):
                retriever = cls(index, embedder, **kw)
                print(f"{name:9} {label:44} {corpus_line(retriever, questions)}", flush=True)


if __name__ == "__main__":
    main()
