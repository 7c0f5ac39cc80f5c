"""A process that only searches or answers runs the model on ONNX Runtime: torch never loads."""

from __future__ import annotations

import json

import pytest

from ingest.onnx_cache import read_sidecar, stale_reason
from tests.heavy_modules import run_deskbot
from tests.ingest.test_embed_onnx import copy_session_export, garbage_with_matching_checksum


def test_search_and_ask_never_import_torch(tmp_path, wiki_env, embedder):
    search, loaded = run_deskbot(
        tmp_path, "search", "How do I connect to the VPN?", "--json", env=wiki_env
    )
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout)["hits"][0]["title"] == "VPN"
    assert loaded == ["onnxruntime"]

    ask, loaded = run_deskbot(
        tmp_path, "ask", "How do I connect to the VPN?", "--json", env=wiki_env
    )
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["citations"]
    assert loaded == ["onnxruntime"]


def test_torch_backend_is_still_selectable(tmp_path, wiki_env):
    env = {**wiki_env, "EMBEDDING_BACKEND": "torch"}
    search, loaded = run_deskbot(
        tmp_path, "search", "How do I connect to the VPN?", "--json", env=env
    )
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout)["hits"][0]["title"] == "VPN"
    assert "torch" in loaded and "onnxruntime" not in loaded


@pytest.mark.slow  # loads the embedding model (not through the `embedder` fixture)
def test_an_unloadable_export_is_rebuilt_in_a_child_so_torch_never_loads(tmp_path, models_dir):
    models = tmp_path / "models"
    directory = copy_session_export(models_dir, models)
    good = read_sidecar(directory)["sha256"]
    garbage_with_matching_checksum(directory)
    env = {"EMBEDDING_CACHE_DIR": str(models), "DESKBOT_DATA_DIR": str(tmp_path / "data")}
    done, loaded = run_deskbot(tmp_path, "embedder", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert "ONNX Runtime could not load it" in done.stderr  # detected, then exported again
    info = json.loads(done.stdout)
    assert info["backend"] == "onnx" and info["onnx"]["min_cosine"] >= 0.9999
    assert stale_reason(directory, info["model_sha256"]) is None
    assert read_sidecar(directory)["sha256"] == good  # the same deterministic export
    assert loaded == ["onnxruntime"]  # torch ran in the exporter's own process only
