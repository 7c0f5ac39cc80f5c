"""The API key never shows up: not in logs (any level, any logger), output, errors or JSON."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from bot.wiring import build_answerer
from deskbot.cli import main
from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.logs import RedactingFilter
from tests.bot.conftest import ListRetriever
from tests.fakes.openai_chat import FakeOpenAIChat

KEY = "sk-test-SECRET123"


def _settings(tmp_path, fake, **extra) -> Settings:
    return Settings(
        db_path=tmp_path / "db.sqlite3",
        openai_api_key=KEY,
        openai_base_url=fake.base_url,
        llm_timeout=0.5,
        llm_max_retries=1,
        **extra,
    )


@pytest.mark.parametrize(
    "replies",
    [
        [],  # the fake rejects the key with a 401 that echoes it back
        [FakeOpenAIChat.server_error(), FakeOpenAIChat.rate_limited(retry_after=0)],
        [FakeOpenAIChat.slow(2.0), FakeOpenAIChat.slow(2.0)],
    ],
    ids=["401", "5xx-429", "timeout"],
)
def test_key_never_logged_on_failures(tmp_path, caplog, capsys, monkeypatch, replies):
    # An earlier CLI run may have put the redacting filter on pytest's handler: look at raw records.
    monkeypatch.setattr(caplog.handler, "filters", [])
    reject = (KEY,) if not replies else ()
    with FakeOpenAIChat(*replies, reject_keys=reject) as fake:
        answerer = build_answerer(_settings(tmp_path, fake), retriever=ListRetriever())
        with caplog.at_level(logging.DEBUG):
            answers = [
                answerer.answer("How do I connect to the VPN?")
                for _ in range(2 if not replies else 1)
            ]
        sent = fake.script.headers[0]["authorization"]
    assert sent == f"Bearer {KEY}"  # the key really went over the wire...
    assert not any(isinstance(f, RedactingFilter) for f in caplog.handler.filters)  # raw records
    captured = capsys.readouterr()
    for text in (
        caplog.text,
        captured.out,
        captured.err,
        *(json.dumps(a.as_json()) for a in answers),
    ):
        assert "SECRET123" not in text  # ...and never came back out
    assert all(a.notice == messages.MODEL_UNAVAILABLE for a in answers)
    if not replies:
        auth = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(auth) == 1 and "OPENAI_API_KEY" in auth[0].getMessage()  # once, with the fix


def test_tone_key_never_logged(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(caplog.handler, "filters", [])
    with (
        FakeOpenAIChat("Connect [1].") as answers,
        FakeOpenAIChat(reject_keys=("sk-tone-SECRET456",)) as tone,
    ):
        settings = _settings(
            tmp_path,
            answers,
            tone_model="ft:x",
            tone_base_url=tone.base_url,
            tone_api_key="sk-tone-SECRET456",
        )
        answerer = build_answerer(settings, retriever=ListRetriever())
        with caplog.at_level(logging.DEBUG):
            answer = answerer.answer("How do I connect to the VPN?")
    assert answer.text == "Connect [1]." and answer.tone == "rejected"
    assert "SECRET456" not in caplog.text and "TONE_API_KEY" in caplog.text


def test_settings_repr_hides_the_key(tmp_path):
    with FakeOpenAIChat() as fake:
        assert "SECRET123" not in repr(_settings(tmp_path, fake))


def test_cli_never_prints_the_key(wiki_env):
    with FakeOpenAIChat(reject_keys=(KEY,)) as fake:
        env = {
            **wiki_env,
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": fake.base_url,
            "LOG_LEVEL": "DEBUG",
        }
        result = CliRunner(env=env).invoke(main, ["ask", "How do I connect to the VPN?", "--json"])
    assert result.exit_code == 0, result.output
    assert "SECRET123" not in result.output
    assert json.loads(result.stdout)["notice"] == messages.MODEL_UNAVAILABLE
