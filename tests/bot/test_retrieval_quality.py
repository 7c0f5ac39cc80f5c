"""Retrieval quality on the sample wiki, with questions written as staff would ask them."""

from __future__ import annotations

import pytest

from bench.retrieval_quality import evaluate, load_questions
from tests.conftest import DATA

# Measured on examples/wiki (see CHANGELOG); the test guards against regressions.
MIN_RECALL_AT_3 = 0.97
MIN_MRR = 0.93


@pytest.fixture(scope="module")
def questions():
    qs = load_questions(DATA / "retrieval_questions.jsonl")
    assert len(qs) >= 20
    return qs


def test_hybrid_recall(wiki_retriever, questions):
    result = evaluate(wiki_retriever, questions, "hybrid")
    wiki_retriever.fusion = "hybrid"
    assert result["recall@3"] >= MIN_RECALL_AT_3, result
    assert result["mrr"] >= MIN_MRR, result


def test_hybrid_is_not_worse_than_either_side(wiki_retriever, questions):
    scores = {
        f: evaluate(wiki_retriever, questions, f)["mrr"] for f in ("hybrid", "dense", "sparse")
    }
    wiki_retriever.fusion = "hybrid"
    assert scores["hybrid"] >= max(scores["dense"], scores["sparse"]) - 0.02, scores


def test_off_topic_question_is_below_threshold(wiki_retriever):
    hits = wiki_retriever.search("what is the airspeed velocity of an unladen swallow")
    assert hits and not wiki_retriever.relevant(hits)


def test_source_filter(wiki_retriever):
    assert wiki_retriever.search("vpn", sources=["confluence:NOPE"]) == []
