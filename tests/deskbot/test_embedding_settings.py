"""EMBEDDING_BACKEND and EMBEDDING_CACHE_DIR: read once, checked, defaulted."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskbot.core.config import Settings
from deskbot.core.errors import ConfigError


def test_onnx_is_the_default_and_the_cache_lives_in_the_data_dir():
    settings = Settings.from_env({"DESKBOT_DATA_DIR": "/srv/deskbot"}, dotenv=False)
    assert settings.embedding_backend == "onnx"
    assert settings.models_dir == Path("/srv/deskbot/models")


def test_backend_and_cache_dir_can_be_chosen():
    env = {"EMBEDDING_BACKEND": "Torch", "EMBEDDING_CACHE_DIR": "/cache/models"}
    settings = Settings.from_env(env, dotenv=False)
    assert (settings.embedding_backend, settings.models_dir) == ("torch", Path("/cache/models"))


def test_an_unknown_backend_is_a_one_line_error():
    with pytest.raises(
        ConfigError, match="EMBEDDING_BACKEND must be one of onnx, torch, got 'gpu'"
    ):
        Settings.from_env({"EMBEDDING_BACKEND": "gpu"}, dotenv=False)
