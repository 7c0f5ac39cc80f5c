"""Small pure parts of the Teams transport: text, cards, commands, policies, settings, tokens."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import AgentAuthConfiguration

from bot.answer import Answer
from bot.citations import Citation, is_web_address
from bot.retrieve import Hit
from bot.teams.actions import feedback_text
from bot.teams.activities import ask_from
from bot.teams.cards import build_answer_card, escalation_answer_id
from bot.teams.checks import check_settings
from bot.teams.commands import command_of
from bot.teams.connector import ServiceUrlPolicy, retry_after
from bot.teams.escalation import deep_link, escalation_post
from bot.teams.text import plain_question, safe_markdown, safe_name, sources_of
from bot.teams.tokens import ClientSecretTokens
from deskbot.core.config import TEAMS_SERVICE_URL_HOSTS, Settings
from deskbot.core.errors import ConfigError, ServiceUrlRefused, TeamsError
from tests.bot.teams.teamsreq import APP_ID, CHANNEL, SECRET, TENANT, Activities
from tests.fakes.teams_login import FakeEntra


def hit(url: str, text: str = "Open Northwind Connect and click Connect.") -> Hit:
    return Hit("p1", 0.9, "VPN", "Mac", url, "files:/wiki", "vpn", 0, text)


def answer_with(url: str) -> Answer:
    citation = Citation(1, "VPN", "Mac", url, "files:/wiki", "vpn")
    return Answer("q", "Click Connect [1].", [citation], True, [hit(url)], {}, {})


@pytest.mark.parametrize(
    "url, web",
    [
        ("https://wiki.example/vpn#mac", True),
        ("http://wiki.example/vpn", True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("wiki/vpn.md", False),
        ("https://", False),
        ("", False),
    ],
)
def test_only_web_addresses_become_links(url, web):
    assert is_web_address(url) is web
    (source,) = sources_of(answer_with(url))
    assert (source.url == url) is web and (source.url is None) is (not web)
    card = build_answer_card(
        [source], answer_id=7, covered=True, notice=None, escalation="#it-help"
    )
    line = card["content"]["body"][1]["inlines"][1]
    assert ("selectAction" in line) is web
    assert line["text"] == "VPN › Mac" and line["type"] == "TextRun"  # never parsed as Markdown


def test_sources_carry_the_cited_passage_clipped_for_teams():
    title, url, long = "T" * 120, "https://w.example/t", "word " * 100
    citation = Citation(1, title, "", url, "s", "d")
    passage = Hit("p", 1.0, title, "", url, "s", "d", 0, long)
    (source,) = sources_of(Answer("q", "x [1]", [citation], True, [passage], {}, {}))
    assert len(source.name) <= 80 and source.name.endswith("…")
    assert len(source.abstract) <= 160 and source.abstract.startswith("word word")


def test_not_covered_card_says_whom_to_ask_and_keeps_the_question_server_side():
    card = build_answer_card([], answer_id=3, covered=False, notice=None, escalation="#it-help")
    body, (action,) = card["content"]["body"], card["content"]["actions"]
    assert "#it-help" in body[0]["text"]
    assert action["data"] == {"verb": "deskbot.escalate", "answer_id": 3}


@pytest.mark.parametrize(
    "value, expected",
    [({"answer_id": 4}, 4), ({"answer_id": "4"}, 4), ({"answer_id": True}, None),
     ({"answer_id": {"x": 1}}, None), ({}, None), ("nope", None)],
)  # fmt: skip
def test_escalation_answer_id_is_a_number_or_nothing(value, expected):
    assert escalation_answer_id(value) == expected


def test_markup_in_answers_is_neutralised_but_markdown_stays():
    text = safe_markdown("**Bold** <at>Boss</at> <img src=x> [link](https://w.example)")
    assert text == "**Bold** &lt;at>Boss&lt;/at> &lt;img src=x> [link](https://w.example)"
    assert safe_name("Ann <b>& co</b>\n") == "Ann &lt;b&gt;&amp; co&lt;/b&gt;"


def test_questions_lose_tags_and_entities():
    assert plain_question("<at>Bob</at>  how&nbsp;do I <b>print</b>?") == "Bob how do I print ?"


@pytest.mark.parametrize(
    "text, command",
    [("reindex", ("reindex", "")), ("  ReIndex confluence:ENG ./wiki", ("reindex", "confluence:ENG ./wiki")),
     ("help", ("help", "")), ("Hi!", ("help", "")), ("help me with the VPN", None),
     ("reindexing broke?", None), ("How do I reindex?", None)],
)  # fmt: skip
def test_commands_are_whole_words_at_the_start(text, command):
    assert command_of(text) == command


@pytest.mark.parametrize(
    "raw, text",
    [('{"feedbackText":"outdated"}', "outdated"), ({"feedbackText": "ok"}, "ok"),
     ("plain words", "plain words"), (None, ""), ('{"other": 1}', "")],
)  # fmt: skip
def test_feedback_text_in_every_shape_teams_sends(raw, text):
    assert feedback_text(raw) == text


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://smba.trafficmanager.net/amer/", True),
        ("https://SMBA.trafficmanager.net/emea/", True),
        ("https://smba.infra.gcc.teams.microsoft.com/amer", True),
        ("http://smba.trafficmanager.net/amer/", False),  # https only
        ("https://smba.trafficmanager.net.evil.example/", False),
        ("https://evilsmba.trafficmanager.net/", False),
        ("https://user:pw@smba.trafficmanager.net/", False),
        ("https://127.0.0.1/amer/", False),
        ("https://[::1]/", False),
        ("not a url", False),
        (None, False),
    ],
)
def test_service_url_policy(url, allowed):
    policy = ServiceUrlPolicy(TEAMS_SERVICE_URL_HOSTS)
    assert policy.allowed(url) is allowed
    if not allowed:
        with pytest.raises(ServiceUrlRefused):
            policy.require(url)


def test_loopback_is_allowed_only_when_a_policy_says_so():
    assert not ServiceUrlPolicy(TEAMS_SERVICE_URL_HOSTS).allowed("http://127.0.0.1:5000/amer/")
    assert ServiceUrlPolicy(["127.0.0.1"], schemes=("http",)).allowed("http://127.0.0.1:5000/")


class _Response:
    def __init__(self, value):
        self.headers = {} if value is None else {"Retry-After": value}


@pytest.mark.parametrize(
    "value, attempt, wait", [("2", 0, 2.0), ("120", 0, 30.0), (None, 2, 2.0), ("soon", 0, 0.5)]
)
def test_retry_after_is_honoured_and_capped(value, attempt, wait):
    assert retry_after(_Response(value), attempt) == wait


def test_teams_settings_from_the_environment():
    settings = Settings.from_env(
        {
            "TEAMS_APP_ID": APP_ID,
            "TEAMS_APP_PASSWORD": SECRET,
            "TEAMS_TENANT_ID": TENANT.upper(),
            "TEAMS_ADMIN_AAD_IDS": "AAAA-1, bbbb-2",
            "TEAMS_ALLOWED_CHANNEL_IDS": f"{CHANNEL} 19:x@thread.tacv2",
            "TEAMS_LOGIN_URL": "https://login.microsoftonline.us/",
            "CHANNEL_SOURCES": f"{CHANNEL}=confluence:HR|./wiki/hr;C0SLACK=./wiki",
        },
        dotenv=False,
    )
    assert settings.teams_allowed_tenant_ids == (TENANT,)  # the bot's own tenant by default
    assert settings.teams_admin_aad_ids == ("aaaa-1", "bbbb-2")
    assert settings.teams_allowed_channel_ids == (CHANNEL, "19:x@thread.tacv2")
    assert settings.teams_login_url == "https://login.microsoftonline.us"
    assert settings.teams_service_url_hosts == TEAMS_SERVICE_URL_HOSTS
    assert settings.channel_sources[CHANNEL] == ("confluence:HR", "./wiki/hr")
    assert settings.teams_port == 3978 and settings.teams_rsc_followups is False
    assert SECRET not in repr(settings) and SECRET in settings.secrets()


@pytest.mark.parametrize(
    "environ, personal",
    [
        ({}, True),
        ({"ALLOW_DMS": "false"}, False),  # one switch for Slack DMs and Teams personal chats
        ({"ALLOW_DMS": "false", "TEAMS_ALLOW_DMS": "true"}, True),  # Teams decides for itself
        ({"ALLOW_DMS": "true", "TEAMS_ALLOW_DMS": "off"}, False),
        ({"TEAMS_ALLOW_DMS": " "}, True),
    ],
)
def test_personal_chats_follow_allow_dms_unless_teams_says_otherwise(environ, personal):
    assert Settings.from_env(environ, dotenv=False).teams_personal_chats is personal


def test_a_bad_teams_allow_dms_names_the_setting():
    with pytest.raises(ConfigError, match="TEAMS_ALLOW_DMS must be true or false"):
        Settings.from_env({"TEAMS_ALLOW_DMS": "sometimes"}, dotenv=False)


@pytest.mark.parametrize(
    "changes, complaint",
    [
        ({"teams_app_id": None}, "TEAMS_APP_ID is not set"),
        ({"teams_app_id": "deskbot"}, "TEAMS_APP_ID must be"),
        ({"teams_app_password": None}, "TEAMS_APP_PASSWORD is not set"),
        ({"teams_allowed_tenant_ids": ()}, "TEAMS_TENANT_ID"),
    ],
)
def test_teams_settings_checked_with_the_fix(changes, complaint):
    good = Settings(
        teams_app_id=APP_ID, teams_app_password=SECRET, teams_allowed_tenant_ids=(TENANT,)
    )
    check_settings(good)
    with pytest.raises(ConfigError, match=complaint):
        check_settings(dataclasses.replace(good, **changes))


def activity(data: dict) -> Activity:
    return Activity.model_validate(data)


def test_channel_ask_names_the_thread_the_channel_and_the_asker():
    raw = Activities("https://smba.trafficmanager.net/amer/").channel("where is <b>it</b>?")
    ask = ask_from(activity(raw))
    assert ask.conversation == f"{CHANNEL};messageid={raw['id']}" and ask.place == CHANNEL
    assert ask.kind == "channel" and ask.user.startswith("aaaaaaaa")


def test_deep_links_back_to_channel_threads_and_group_chats_not_personal_chats():
    made = Activities("https://smba.trafficmanager.net/amer/")
    post = made.channel("q")
    link = deep_link(activity(made.card_submit(post, "1700", {})))
    assert link.startswith(f"https://teams.microsoft.com/l/message/{CHANNEL}/{post['id']}?")
    assert f"parentMessageId={post['id']}" in link and f"tenantId={TENANT}" in link
    group = deep_link(activity(made.card_submit(made.group("q"), "1700", {})))
    assert "/1700?context=" in group
    assert deep_link(activity(made.card_submit(made.personal("q"), "1700", {}))) is None


def test_escalation_post_mentions_the_asker_and_quotes_the_question_escaped():
    made = Activities("https://smba.trafficmanager.net/amer/")
    submit = made.card_submit(made.channel("q"), "1700", {})
    submit["from"]["name"] = "Eve <at>All</at>"
    post = escalation_post(activity(submit), "Why <at>everyone</at>?\nsecond line")
    assert post.text.startswith("<at>Eve &lt;at&gt;All&lt;/at&gt;</at> needs a human")
    assert "> Why &lt;at>everyone&lt;/at>?\n> second line" in post.text
    (mention,) = post.entities
    assert mention.text == "<at>Eve &lt;at&gt;All&lt;/at&gt;</at>"


def test_tokens_are_cached_and_refreshed_before_they_expire():
    clock = [1000.0]
    with FakeEntra(APP_ID, SECRET, lifetime=3600) as entra:
        config = AgentAuthConfiguration(client_id=APP_ID, tenant_id=TENANT, client_secret=SECRET)
        tokens = ClientSecretTokens(config, login_url=entra.url, clock=lambda: clock[0])
        scope = ["https://api.botframework.com/.default"]

        async def run():
            first = await tokens.get_access_token("https://api.botframework.com", scope)
            again = await tokens.get_access_token("https://api.botframework.com", scope)
            clock[0] += 3600 - 200  # inside the refresh window: old token, new one fetched
            stale = await tokens.get_access_token("https://api.botframework.com", scope)
            await asyncio.sleep(0.3)
            fresh = await tokens.get_access_token("https://api.botframework.com", scope)
            return first, again, stale, fresh

        first, again, stale, fresh = asyncio.run(run())
        assert first == again == stale == "outgoing-token-1" and fresh == "outgoing-token-2"
        assert len(entra.token_requests()) == 2
        assert entra.token_requests()[0].path == f"/{TENANT}/oauth2/v2.0/token"


def test_refused_secret_is_a_teams_error_naming_the_settings():
    with FakeEntra(APP_ID, "another") as entra:
        config = AgentAuthConfiguration(client_id=APP_ID, tenant_id=TENANT, client_secret=SECRET)
        tokens = ClientSecretTokens(config, login_url=entra.url)
        with pytest.raises(TeamsError, match="invalid_client.*TEAMS_APP_PASSWORD") as error:
            asyncio.run(tokens.get_access_token("https://api.botframework.com", []))
        assert SECRET not in str(error.value)
