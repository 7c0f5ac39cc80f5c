"""Fixtures for the tone-model toolkit: the fixture files, a fake provider, a CLI runner."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskbot.cli import main
from deskbot.core.config import Settings
from tests.fakes.openai_tuning import FakeOpenAITuning, TuningState

DATA = Path(__file__).resolve().parent / "data"
SECRET = "sk-test-SECRET123"


@pytest.fixture
def provider():
    """A fake fine-tuning API that accepts only SECRET (others get a 401 echoing the key)."""
    with FakeOpenAITuning(TuningState(api_keys=(SECRET,))) as fake:
        yield fake


@pytest.fixture
def settings(tmp_path, provider) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        openai_api_key=SECRET,
        openai_base_url=provider.base_url,
        llm_max_retries=0,
    )


class Cli:
    """Runs `deskbot …` with fixed settings; asserts the secret never shows up."""

    def __init__(self, settings: Settings, caplog) -> None:
        self.settings = settings
        self.caplog = caplog

    def __call__(self, *args: str, code: int | None = 0, settings: Settings | None = None):
        self.caplog.set_level(logging.DEBUG)
        result = CliRunner().invoke(main, [str(a) for a in args], obj=settings or self.settings)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        everything = result.output + self.caplog.text
        assert SECRET not in everything and "SECRET123" not in everything
        if code is not None:
            assert result.exit_code == code, result.output
        return result


@pytest.fixture
def cli(settings, caplog) -> Cli:
    return Cli(settings, caplog)
