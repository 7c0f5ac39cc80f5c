"""Small pure parts: access rules, thread history, /reindex arguments, dedupe, token checks."""

from __future__ import annotations

import dataclasses

import pytest

from bot.conversation.access import sources_for
from bot.slack.access import channel_allowed, channel_type, ignorable
from bot.slack.client import build_web_client, check_connection, check_tokens
from bot.slack.deliver import StreamSupport
from bot.slack.history import MAX_TURNS, turns_from
from bot.slack.reindex import parse_specs
from deskbot.core.config import Settings
from deskbot.core.conversations import Turn
from deskbot.core.errors import ConfigError
from tests.fakes.slack import BOT_TOKEN, FakeSlack


@pytest.mark.parametrize(
    "event, ignored",
    [
        ({"user": "U1", "text": "hi"}, False),
        ({"user": "U1", "subtype": "file_share"}, False),
        ({"user": "UBOT", "text": "my own"}, True),
        ({"user": "U2", "bot_id": "B2"}, True),
        ({"subtype": "bot_message", "bot_id": "B2"}, True),
        ({"subtype": "message_changed", "message": {"user": "U1"}}, True),
        ({"subtype": "message_deleted"}, True),
        ({"user": "U1", "subtype": "channel_join"}, True),
        ({"text": "no user"}, True),
    ],
)
def test_ignorable(event, ignored):
    assert ignorable(event, "UBOT") is ignored


@pytest.mark.parametrize(
    "settings, channel, kind, allowed",
    [
        (Settings(), "C1", "channel", True),
        (Settings(allowed_channel_ids=("C1",)), "C1", "channel", True),
        (Settings(allowed_channel_ids=("C1",)), "C2", "channel", False),
        (Settings(allowed_channel_ids=("C1",)), "D1", "im", True),
        (Settings(allow_dms=False), "D1", "im", False),
    ],
)
def test_channel_allowed(settings, channel, kind, allowed):
    assert channel_allowed(settings, channel, kind) is allowed


def test_channel_type_and_sources():
    assert [channel_type({"channel": c}) for c in ("C1", "G1", "D1")] == ["channel", "group", "im"]
    assert channel_type({"channel": "C1", "channel_type": "mpim"}) == "mpim"
    settings = Settings(channel_sources={"C1": ("confluence:HR",)})
    assert sources_for(settings, "C1") == ("confluence:HR",)
    assert sources_for(settings, "C2") is None


def test_thread_history_keeps_earlier_human_and_own_turns_only():
    messages = [
        {"ts": "3.0", "user": "UBOT", "bot_id": "B1", "text": "Install the client [1]."},
        {"ts": "1.0", "user": "U1", "text": "<@UBOT> how do I get on the VPN?"},
        {"ts": "4.0", "user": "U9", "bot_id": "B9", "text": "JIRA-123 created"},
        {"ts": "5.0", "user": "U1", "subtype": "message_changed", "text": "x"},
        {"ts": "6.0", "user": "U1", "text": "<@UBOT> and on a Mac?"},
        {"ts": "7.0", "user": "U1", "text": "later"},
    ]
    assert turns_from(messages, "6.0", "UBOT") == [
        Turn("user", "how do I get on the VPN?"),
        Turn("assistant", "Install the client [1]."),
    ]
    many = [{"ts": f"{n}.0", "user": "U1", "text": f"m{n}"} for n in range(1, 40)]
    assert len(turns_from(many, "99.0", "UBOT")) == MAX_TURNS


@pytest.mark.parametrize(
    "text, specs",
    [
        ("", []),
        ("confluence:ENG", ["confluence:ENG"]),
        ("confluence:ENG ./wiki", ["confluence:ENG", "./wiki"]),
        ("<https://w.example/pages/1|Page>", ["https://w.example/pages/1"]),
        ("<https://w.example/x/AbC>", ["https://w.example/x/AbC"]),
    ],
)
def test_reindex_arguments(text, specs):
    assert parse_specs(text) == specs


def test_stream_support_remembers_refusals():
    streams = StreamSupport()
    streams.refused("method_not_supported_for_channel_type", "channel")
    assert not streams.allowed("channel") and streams.allowed("im")
    streams.refused("ratelimited", "im")  # transient: keep trying
    assert streams.allowed("im")
    streams.refused("unknown_method", "im")
    assert not streams.allowed("im") and not streams.allowed("group")


BASE = Settings(
    slack_bot_token=BOT_TOKEN, slack_app_token="xapp-1-A1-1-abc", slack_signing_secret="s"
)


@pytest.mark.parametrize(
    "changes, http, variable, words",
    [
        ({"slack_bot_token": None}, False, "SLACK_BOT_TOKEN", "is not set"),
        ({"slack_bot_token": "xoxp-user-token"}, True, "SLACK_BOT_TOKEN", "must start with xoxb-"),
        ({"slack_app_token": None}, False, "SLACK_APP_TOKEN", "is not set"),
        ({"slack_app_token": "xoxb-1"}, False, "SLACK_APP_TOKEN", "must start with xapp-"),
        ({"slack_signing_secret": None}, True, "SLACK_SIGNING_SECRET", "is not set"),
    ],
)
def test_token_problems_name_the_variable_and_the_manifest(changes, http, variable, words):
    with pytest.raises(ConfigError) as error:
        check_tokens(dataclasses.replace(BASE, **changes), http=http)
    message = str(error.value)
    assert message.startswith(variable) and words in message and "manifest.yml" in message
    assert "xoxp-user-token" not in message  # never echo a token


def test_tokens_not_needed_by_the_mode_are_not_required():
    check_tokens(dataclasses.replace(BASE, slack_app_token=None), http=True)
    check_tokens(dataclasses.replace(BASE, slack_signing_secret=None), http=False)


def test_rejected_or_unreachable_token_gives_a_clear_error():
    with FakeSlack(token="xoxb-the-real-one") as slack:
        client = build_web_client(dataclasses.replace(BASE, slack_api_url=slack.api_url))
        with pytest.raises(ConfigError, match=r"Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)"):
            check_connection(client)
        url = slack.api_url
    client = build_web_client(dataclasses.replace(BASE, slack_api_url=url))
    with pytest.raises(ConfigError, match="Cannot reach the Slack Web API"):
        check_connection(client)


def test_web_client_uses_slack_api_url_and_retries_rate_limits():
    client = build_web_client(dataclasses.replace(BASE, slack_api_url="http://proxy.internal/api"))
    assert client.base_url == "http://proxy.internal/api/"
    kinds = {type(h).__name__ for h in client.retry_handlers}
    assert {"RateLimitErrorRetryHandler", "ServerErrorRetryHandler"} <= kinds
