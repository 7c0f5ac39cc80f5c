"""Only Teams, for this bot, in allowed tenants, with replies to allowed hosts: else 401/403, no side effect."""

from __future__ import annotations

import time

import pytest

from tests.bot.teams.teamsreq import APP_ID, OTHER_TENANT, Activities, wait_until
from tests.fakes.teams_login import FakeBotFrameworkLogin

QUESTION = "How do I connect to the VPN from home?"


def nothing_happened(connector, entra, model) -> bool:
    """No activity sent, no model call, no token asked for but the one fetched at start."""
    return connector.posted == [] and len(entra.token_requests()) == 1 and not model.chat_requests()


@pytest.mark.parametrize(
    "case, token_args",
    [
        ("no token", {"token": None}),
        ("not a JWT", {"token": "not-a-jwt"}),
        ("bad signature", {"key": "attacker"}),
        ("wrong audience", {"aud": "ffffffff-0000-4000-8000-000000000000"}),
        ("wrong issuer", {"iss": "https://sts.windows.net/attacker/"}),
        ("expired", {"exp": int(time.time()) - 3600}),
        ("not yet valid", {"nbf": int(time.time()) + 3600}),
        ("no expiry", {"exp": None}),
        ("serviceUrl mismatch", {"serviceurl": "https://smba.trafficmanager.net/emea/"}),
        ("unknown key", {"kid": "key-99"}),
        ("HMAC instead of RSA", {"algorithm": "HS256"}),
    ],
)
def test_bad_tokens_get_401_and_nothing_else(bot, connector, entra, model, case, token_args):
    response = bot.sender.post(bot.activities.personal(QUESTION), **token_args)
    assert response.status_code == 401, case
    bot.server.stop(grace=2)
    assert nothing_happened(connector, entra, model), case


def test_expiry_within_five_minutes_of_leeway_is_accepted(bot, connector):
    question = bot.activities.personal(QUESTION)
    assert bot.sender.post(question, exp=int(time.time()) - 120).status_code == 202
    wait_until(lambda: connector.messages(), what="the answer")


def test_key_not_endorsed_for_teams_is_refused(make_bot, connector, entra, model, monkeypatch):
    with FakeBotFrameworkLogin(endorsements=("webchat",)) as login:
        bot = make_bot(teams_openid_metadata_url=login.metadata_url)
        bot.sender.login = login
        assert bot.sender.post(bot.activities.personal(QUESTION)).status_code == 401
    assert nothing_happened(connector, entra, model)


def test_rotated_key_is_fetched_when_a_token_names_it(bot, bf_login, connector):
    assert bot.sender.post(bot.activities.personal("help")).status_code == 202
    kid = bf_login.rotate()
    later = time.time() + 400  # past the minimum gap between two key fetches
    bot.teams.auth.clock = lambda: later
    key = f"rotated-{kid}"
    assert bot.sender.post(bot.activities.personal("help"), key=key, kid=kid).status_code == 202
    assert len(bf_login.calls(r"/keys")) == 2
    wait_until(lambda: len(connector.messages()) == 2, what="both replies")


def test_unreachable_keys_get_503_without_hammering_then_recover(bot, bf_login, connector):
    bf_login.down = True
    assert bot.sender.post(bot.activities.personal("help")).status_code == 503  # Teams retries
    assert bot.sender.post(bot.activities.personal("help")).status_code == 503
    assert len(bf_login.calls(r"/openidconfiguration")) == 1  # not again within 30 s
    bf_login.down = False
    later = time.time() + 60
    bot.teams.auth.clock = lambda: later
    assert bot.sender.post(bot.activities.personal("help")).status_code == 202
    wait_until(lambda: connector.messages(), what="the reply")


def test_keys_are_read_once_for_many_requests(bot, bf_login):
    for _ in range(3):
        assert bot.sender.post(bot.activities.personal("help")).status_code == 202
    assert len(bf_login.calls(r"/openidconfiguration")) == 1
    assert len(bf_login.calls(r"/keys")) == 1


def test_other_tenant_is_refused_before_any_work(bot, connector, entra, model):
    foreign = Activities(connector.service_url, tenant=OTHER_TENANT)
    assert bot.sender.post(foreign.personal(QUESTION)).status_code == 403
    assert bot.sender.post(foreign.channel(QUESTION)).status_code == 403
    bot.server.stop(grace=2)
    assert nothing_happened(connector, entra, model)


def test_service_url_outside_the_allowed_hosts_is_never_called(make_bot, connector, entra, model):
    bot = make_bot(policy=None)  # the production policy: TEAMS_SERVICE_URL_HOSTS, https only
    response = bot.sender.post(bot.activities.personal(QUESTION))
    assert response.status_code == 403
    bot.server.stop(grace=2)
    assert nothing_happened(connector, entra, model)


def test_malformed_bodies_are_refused(bot, connector):
    http = bot.sender.http
    token = bot.sender.login.token(APP_ID, connector.service_url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    assert http.post("/api/messages", content=b"{not json", headers=headers).status_code == 400
    assert http.post("/api/messages", json=[1, 2], headers=headers).status_code == 400
    assert http.get("/api/messages").status_code == 405
    assert connector.posted == []


def test_health_check(bot):
    response = bot.sender.http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["transport"] == "teams"
