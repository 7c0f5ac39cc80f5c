"""TeamsTransport as `deskbot serve` drives it: the Transport protocol, health, stop, failure."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from bot.serve.transport import Health, Transport
from bot.store import Store
from bot.teams.transport import TeamsTransport
from deskbot.core.errors import ConfigError, TeamsCredentialsRejected
from tests.bot.teams.conftest import LOOPBACK, no_reindex
from tests.bot.teams.teamsreq import wait_until
from tests.fakes.openai_chat import ChatReply

QUESTION = "How do I connect to the VPN from home?"


def test_health_follows_the_transports_life(bot, make_bot):
    transport: Transport = bot.transport
    assert transport.name == "teams" and transport.failure() is None
    health = transport.health()
    assert health.ok and f"port {bot.server.port}" in health.reason
    transport.stop(1)
    assert transport.health() == Health(False, "not listening (stopped or not started)")
    with pytest.raises(httpx.ConnectError):  # no new activities once stopped
        bot.sender.post(bot.activities.personal("help"))


def test_drain_delivers_answers_accepted_before_stop(bot, connector, model):
    model.push(ChatReply("Connect with the app [1].", delay=0.5))
    question = bot.activities.personal(QUESTION)
    assert bot.sender.post(question).status_code == 202
    bot.transport.stop(10)  # stops taking activities at once; the accepted turn goes on
    assert connector.messages() == []
    assert bot.transport.drain(10) == 0  # returns once the accepted turn has delivered
    assert [m.text for m in connector.messages()] == ["Connect with the app [1]."]
    assert bot.teams.turns.loop is None  # and the turn loop is closed


def test_drain_cuts_off_what_is_not_sent_in_time(bot, connector, model):
    model.push(ChatReply("Too late [1].", delay=3))
    question = bot.activities.personal(QUESTION)
    bot.sender.post(question)
    wait_until(lambda: connector.activities(), what="the first sign")
    bot.transport.stop(1)
    assert bot.transport.drain(0.2) == 1
    conversation = question["conversation"]["id"]
    wait_until(lambda: bot.store.recent_turns(conversation, limit=1), what="the answer computed")
    assert connector.messages() == []  # computed after the drain ended: never sent


def test_refused_credentials_are_a_fatal_failure_naming_the_settings(teams_settings, entra):
    entra.secret = "rotated-elsewhere"
    settings = dataclasses.replace(teams_settings)
    transport = TeamsTransport(
        settings,
        answerer=None,
        store=Store(":memory:"),
        reindex=no_reindex,
        host="127.0.0.1",
        port=0,
        service_urls=LOOPBACK,
    )
    transport.start()
    try:
        failure = transport.failure()
        assert isinstance(failure, TeamsCredentialsRejected)
        assert "TEAMS_APP_PASSWORD" in str(failure) and not transport.health().ok
    finally:
        transport.close(1)


def test_settings_are_checked_before_anything_starts(teams_settings):
    with pytest.raises(ConfigError, match="TEAMS_APP_PASSWORD"):
        TeamsTransport(
            dataclasses.replace(teams_settings, teams_app_password=None),
            answerer=None,
            store=None,
            reindex=no_reindex,
        )


def test_healthz_reports_the_serving_process_when_given_its_report(make_bot):
    calls = []

    def report():
        calls.append(1)
        return False, {"ok": False, "checks": {"index": "index closed", "teams": "listening"}}

    bot = make_bot(report=report)
    response = bot.sender.http.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["index"] == "index closed"
    assert calls == [1]
    wait_until(lambda: bot.transport.health().ok, what="health")
