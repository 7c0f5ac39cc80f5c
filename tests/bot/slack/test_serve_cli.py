"""`deskbot serve` refuses to start with a clear message instead of a traceback, in a second."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from deskbot.cli import main
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode

CLEAN = {
    "SLACK_BOT_TOKEN": "",
    "SLACK_APP_TOKEN": "",
    "SLACK_SIGNING_SECRET": "",
    "SLACK_API_URL": "",
    "TEAMS_APP_ID": "",
}


@pytest.mark.parametrize(
    "args, env, expected",
    [
        (["--slack"], {}, "Error: SLACK_BOT_TOKEN is not set."),
        ([], {"SLACK_BOT_TOKEN": "xoxb-1"}, "Error: SLACK_APP_TOKEN is not set."),
        (
            [],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
            "Error: SLACK_APP_TOKEN must start with xapp-",
        ),
        (["--http"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "Error: SLACK_SIGNING_SECRET is not set."),
    ],
    ids=["no-bot-token", "no-app-token", "bot-token-as-app-token", "http-without-secret"],
)
def test_missing_or_malformed_tokens(args, env, expected):
    result = CliRunner().invoke(main, ["serve", *args], env={**CLEAN, **env})
    assert result.exit_code == 1
    assert result.output.startswith(expected)
    assert "manifest.yml" in result.output and "Traceback" not in result.output


def test_token_slack_rejects_is_reported_before_loading_anything():
    with FakeSlack(token="xoxb-valid") as slack:
        env = {
            **CLEAN,
            "SLACK_BOT_TOKEN": "xoxb-revoked",
            "SLACK_SIGNING_SECRET": "s3cret",
            "SLACK_API_URL": slack.api_url,
        }
        result = CliRunner().invoke(main, ["serve", "--http", "--port", "0"], env=env)
    assert result.exit_code == 1
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in result.output
    assert "xoxb-revoked" not in result.output
    assert slack.methods() == ["auth.test"]


@pytest.mark.parametrize(
    "app_token, error",
    [("xapp-1-A1-revoked", "invalid_auth")],
    ids=["revoked-app-token"],
)
def test_socket_mode_checks_both_tokens_before_loading_anything(app_token, error):
    with FakeSocketMode() as socket, FakeSlack(socket=socket) as slack:
        env = {
            **CLEAN,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": app_token,
            "SLACK_API_URL": slack.api_url,
        }
        result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 1
    assert f"Slack rejected SLACK_APP_TOKEN ({error})" in result.output
    assert "Slack accepted" not in result.output and app_token not in result.output
    assert slack.methods() == ["auth.test", "apps.connections.open"]
