"""Which transports `deskbot serve` runs, and what it refuses before loading anything heavy.

Every refusal here comes in about a second: the index and the embedding model are
never loaded (EMBEDDING_MODEL points nowhere, so loading it would be a different error).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.serve.plan import plan_transports
from deskbot.cli import main
from deskbot.core import messages
from deskbot.core.config import Settings
from tests.bot.teams.teamsreq import APP_ID, SECRET, TENANT
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode
from tests.fakes.teams_login import FakeEntra

CLEAN = {
    "SLACK_BOT_TOKEN": "",
    "SLACK_APP_TOKEN": "",
    "SLACK_SIGNING_SECRET": "",
    "SLACK_API_URL": "",
    "TEAMS_APP_ID": "",
    "TEAMS_APP_PASSWORD": "",
    "TEAMS_TENANT_ID": "",
    "TEAMS_ALLOWED_TENANT_IDS": "",
    "HEALTH_PORT": "",
    "EMBEDDING_MODEL": "/nonexistent/model-that-must-not-be-loaded",
    "DESKBOT_DATA_DIR": "/nonexistent/deskbot-data-that-must-not-be-opened",
}
TEAMS = {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": SECRET, "TEAMS_TENANT_ID": TENANT}
SLACK = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}


def serve(*args: str, **env: str):
    return CliRunner().invoke(main, ["serve", *args], env={**CLEAN, **env})


@pytest.mark.parametrize(
    "env, flags, expected",
    [
        (SLACK, {}, ["slack"]),
        (TEAMS, {}, ["teams"]),
        (SLACK | TEAMS, {}, ["slack", "teams"]),
        (SLACK | TEAMS, {"teams": True}, ["teams"]),
        (SLACK | TEAMS, {"slack": True}, ["slack"]),
        (SLACK | TEAMS, {"slack": True, "teams": True}, ["slack", "teams"]),
        (TEAMS, {"slack": True}, ["slack"]),  # asked for: its own check names what is missing
        (TEAMS, {"http": True}, ["slack", "teams"]),  # --http is Slack's HTTP mode
        (SLACK | TEAMS, {"http": True}, ["slack", "teams"]),
        (SLACK | TEAMS, {"http": True, "slack": True}, ["slack"]),
        ({}, {"http": True}, ["slack"]),
    ],
)
def test_every_configured_transport_runs_unless_some_are_chosen(env, flags, expected):
    settings = Settings.from_env({**CLEAN, **env}, dotenv=False)
    assert plan_transports(settings, **flags).names == expected


def test_ports_come_from_the_options_else_the_settings():
    settings = Settings.from_env({**SLACK, **TEAMS, "PORT": "8000"}, dotenv=False)
    plan = plan_transports(settings, http=True, teams=True)
    assert (plan.port, plan.teams_port) == (8000, 3978)
    plan = plan_transports(settings, http=True, teams=True, port=9000, teams_port=9001)
    assert (plan.port, plan.teams_port) == (9000, 9001)


def test_nothing_configured_names_both_platforms():
    result = serve()
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {messages.SERVE_NO_TRANSPORT}"
    assert "SLACK_BOT_TOKEN" in result.output and "TEAMS_APP_ID" in result.output


def test_teams_chosen_but_not_configured_names_the_setting():
    result = serve("--teams", **SLACK)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {messages.TEAMS_APP_ID_MISSING}"


@pytest.mark.parametrize(
    "args, env, first, second",
    [
        (["--http", "--port", "4000", "--teams-port", "4000"], {}, "Slack's HTTP mode", "Teams"),
        (["--teams-port", "8080"], {"HEALTH_PORT": "8080"}, "Teams", "HEALTH_PORT"),
    ],
)
def test_two_listeners_on_one_port_are_refused_before_any_call(args, env, first, second):
    with FakeSocketMode() as socket, FakeSlack(socket=socket) as slack:
        result = serve(
            *args, **SLACK, **TEAMS, **env, SLACK_SIGNING_SECRET="s", SLACK_API_URL=slack.api_url
        )
    assert result.exit_code == 1
    assert f"Error: {first} and {second} would both listen on port" in result.output
    assert slack.methods() == []


def test_teams_alone_needs_no_slack_token_and_its_secret_is_checked_before_loading():
    with FakeEntra(APP_ID, "the-real-secret") as entra:
        result = serve(**TEAMS, TEAMS_LOGIN_URL=entra.url)
        assert len(entra.token_requests()) == 1
    assert result.exit_code == 1
    assert "Microsoft Entra at" in result.output and "invalid_client" in result.output
    assert "TEAMS_APP_PASSWORD" in result.output and SECRET not in result.output
    assert "SLACK" not in result.output and messages.SERVE_LOADING not in result.output


def test_slack_is_checked_then_teams_both_before_loading():
    with (
        FakeSocketMode() as socket,
        FakeSlack(socket=socket) as slack,
        FakeEntra(APP_ID, "rotated-elsewhere") as entra,
    ):
        result = serve(**SLACK, **TEAMS, SLACK_API_URL=slack.api_url, TEAMS_LOGIN_URL=entra.url)
        assert slack.methods() == ["auth.test", "apps.connections.open"]
        assert len(entra.token_requests()) == 1
    assert result.exit_code == 1
    first, *rest = result.output.splitlines()
    assert first.startswith("Slack accepted the tokens: bot @")
    assert rest[-1].startswith("Error: Microsoft Entra at") and "TEAMS_APP_PASSWORD" in rest[-1]
    assert messages.SERVE_LOADING not in result.output


def test_a_malformed_teams_setting_is_reported_before_slack_is_called():
    with FakeSocketMode() as socket, FakeSlack(socket=socket) as slack:
        no_secret = TEAMS | {"TEAMS_APP_PASSWORD": ""}
        result = serve(**SLACK, **no_secret, SLACK_API_URL=slack.api_url)
    assert result.output.strip() == f"Error: {messages.TEAMS_PASSWORD_MISSING}"
    assert slack.methods() == []


def test_flags_are_documented_in_help():
    result = CliRunner().invoke(main, ["serve", "--help"])
    for flag in ("--slack", "--teams", "--http", "--port", "--teams-port", "$PORT"):
        assert flag in result.output
