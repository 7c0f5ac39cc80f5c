"""Retrieval and coverage quality, guarded against regressions (a drop fails CI).

Two data sets: the sample wiki with questions written as staff would ask them, and the
committed slice of bench/quality (git manual pages + Debian handbook sections nobody
tuned on). The minimums are the figures measured when the pipeline shipped (see
bench/quality/README.md), rounded down to the question.
"""

from __future__ import annotations

import json

import pytest

from bench.quality.metrics import Ranking, first_rank
from bench.quality.questions import off_topic
from bench.retrieval_quality import evaluate, load_questions
from bot.retrieve import Retriever, source_key
from tests.conftest import BENCH_SLICE, DATA, SLICE_CORPORA

# Sample wiki, measured: recall@1 0.957, recall@3 1.000, MRR 0.978.
MIN_RECALL_AT_3 = 0.97
MIN_MRR = 0.97
# Sample wiki coverage, measured: 3 of 46 covered questions refused, 20 of 24 off-topic refused.
MAX_SAMPLE_COVERED_REFUSED = 3
MIN_SAMPLE_OFF_TOPIC_REFUSED = 20
# Benchmark slice, per corpus; measured: git recall@1 0.667 (12 of 18), recall@5 1.000,
# MRR@10 0.815; handbook 0.895 (17 of 19), 1.000, 0.947.
SLICE_MINIMUMS = {
    "git": {"recall_at_1": 0.66, "recall_at_5": 1.0, "mrr_at_10": 0.81},
    "handbook": {"recall_at_1": 0.89, "recall_at_5": 1.0, "mrr_at_10": 0.94},
}
MAX_SLICE_COVERED_REFUSED = 0.11  # both corpora together; measured 4 of 37
MIN_SLICE_OFF_TOPIC_REFUSED = 0.98  # of the 80 off-topic questions; measured 80 and 79


@pytest.fixture(scope="module")
def questions():
    qs = load_questions(DATA / "retrieval_questions.jsonl")
    assert len(qs) >= 20
    return qs


def test_sample_wiki_ranking(wiki_retriever, questions):
    result = evaluate(wiki_retriever, questions, "hybrid")
    assert result["recall@3"] >= MIN_RECALL_AT_3, result
    assert result["mrr"] >= MIN_MRR, result


def test_hybrid_is_not_worse_than_either_field(wiki_retriever, questions):
    scores = {
        f: evaluate(wiki_retriever, questions, f)["mrr"] for f in ("hybrid", "dense", "sparse")
    }
    assert scores["hybrid"] >= max(scores["dense"], scores["sparse"]) - 0.02, scores


def test_sample_wiki_coverage(wiki_retriever, questions):
    refused = [
        q["question"]
        for q in questions
        if not wiki_retriever.search(q["question"]).coverage.covered
    ]
    off = load_questions(DATA / "sample_offtopic.jsonl")
    answered = [q["question"] for q in off if wiki_retriever.search(q["question"]).coverage.covered]
    assert len(refused) <= MAX_SAMPLE_COVERED_REFUSED, refused
    assert len(off) - len(answered) >= MIN_SAMPLE_OFF_TOPIC_REFUSED, answered


def test_off_topic_question_is_not_covered(wiki_retriever):
    hits = wiki_retriever.search("what is the airspeed velocity of an unladen swallow")
    assert hits and not wiki_retriever.relevant(hits) and not hits.coverage.covered


def test_source_filter(wiki_retriever):
    assert wiki_retriever.search("vpn", sources=["confluence:NOPE"]) == []


@pytest.fixture(scope="module")
def slice_retriever(slice_index, embedder) -> Retriever:
    return Retriever(slice_index, embedder)


def slice_questions(corpus: str) -> list[dict]:
    return [json.loads(line) for line in (BENCH_SLICE / f"{corpus}.jsonl").open()]


@pytest.mark.parametrize("corpus", SLICE_CORPORA)
def test_benchmark_slice_ranking(slice_retriever, corpus):
    only = [source_key(str(BENCH_SLICE / corpus))]
    ranks = []
    for q in slice_questions(corpus):
        pages = [p.key[1] for p in slice_retriever.rank(q["question"], sources=only)[:10]]
        ranks.append(first_rank(pages, q["pages"]))
    result = Ranking.of(ranks)
    for figure, minimum in SLICE_MINIMUMS[corpus].items():
        assert getattr(result, figure) >= minimum, (figure, result)


def test_benchmark_slice_coverage(slice_retriever):
    covered = [
        slice_retriever.search(q["question"], sources=[source_key(str(BENCH_SLICE / c))])
        for c in SLICE_CORPORA
        for q in slice_questions(c)
    ]
    refused = sum(not r.coverage.covered for r in covered) / len(covered)
    assert refused <= MAX_SLICE_COVERED_REFUSED, refused
    for corpus in SLICE_CORPORA:
        only = [source_key(str(BENCH_SLICE / corpus))]
        off = [slice_retriever.search(q.question, sources=only).coverage for q in off_topic()]
        assert sum(not c.covered for c in off) / len(off) >= MIN_SLICE_OFF_TOPIC_REFUSED, corpus
