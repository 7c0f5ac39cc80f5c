"""Commands that need no embeddings never load torch, sentence-transformers or the model."""

from __future__ import annotations

import pytest

from tests.deskbot.tune.conftest import DATA as TUNE_DATA
from tests.heavy_modules import run_deskbot


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("status",),
        ("status", "--json"),
        ("gaps",),
        ("tune", "--help"),
        ("tune", "validate", str(TUNE_DATA / "valid" / "chat.jsonl")),
        ("tune", "estimate", str(TUNE_DATA / "valid" / "chat.jsonl")),
        ("ingest", "--help"),
        ("ask", "--help"),
    ],
)
def test_command_loads_no_model(tmp_path, args):
    env = {"DESKBOT_DATA_DIR": str(tmp_path / "data"), "QDRANT_URL": None, "EMBEDDING_MODEL": None}
    done, loaded = run_deskbot(tmp_path, *args, env=env)
    assert done.returncode == 0, done.stderr
    assert loaded == [], f"deskbot {' '.join(args)} imported {loaded}"


def test_gaps_with_an_empty_store_loads_no_model(tmp_path):
    from bot.store import Store

    Store(tmp_path / "data" / "deskbot.sqlite3").close()
    done, loaded = run_deskbot(tmp_path, "gaps", env={"DESKBOT_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert "No knowledge gaps" in done.stdout, done.stdout
    assert loaded == []


def test_gaps_with_questions_embeds_them_without_torch(tmp_path, embedder):
    from bot.store import Store

    store = Store(tmp_path / "data" / "deskbot.sqlite3")
    for question in ("How do I expense a train ticket?", "expense a train ticket", "badge lost"):
        store.record_unanswered(question)
    store.close()
    done, loaded = run_deskbot(tmp_path, "gaps", env={"DESKBOT_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert "3 question(s)" in done.stdout, done.stdout
    assert loaded == ["onnxruntime"]
