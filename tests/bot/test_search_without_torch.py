"""A process that only searches or answers runs the model on ONNX Runtime: torch never loads."""

from __future__ import annotations

import json

from tests.heavy_modules import run_deskbot


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
