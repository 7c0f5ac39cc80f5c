"""manifest.yml and Procfile agree with what the bot does."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack.server import EVENTS_PATH, HEALTH_PATH
from deskbot.core import messages
from deskbot.core.config import Settings

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_has_the_events_the_listeners_handle(manifest):
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {
        "app_mention",
        "message.im",
        "assistant_thread_started",
        "assistant_thread_context_changed",
    } <= events
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


@pytest.mark.parametrize(
    "scope, why",
    [
        ("app_mentions:read", "app_mention events"),
        ("assistant:write", "assistant.threads.setStatus / setSuggestedPrompts / setTitle"),
        ("chat:write", "chat.postMessage, chat.update, chat.startStream, chat.postEphemeral"),
        ("reactions:write", "reactions.add / reactions.remove"),
        ("channels:history", "conversations.replies in channels"),
        ("im:history", "message.im and replies in DMs"),
        ("commands", "the slash command"),
    ],
)
def test_manifest_grants_the_scopes_the_bot_uses(manifest, scope, why):
    assert scope in manifest["oauth_config"]["scopes"]["bot"], why


def test_manifest_matches_the_settings_and_messages(manifest):
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == Settings().reindex_command
    prompts = manifest["features"]["assistant_view"]["suggested_prompts"]
    assert [(p["title"], p["message"]) for p in prompts] == list(messages.SLACK_SUGGESTED_PROMPTS)
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    info = manifest["display_information"]
    assert len(info["description"]) <= 140 and 175 <= len(info["long_description"]) <= 4000


def test_http_variant_is_documented_and_procfile_runs_it():
    text = (ROOT / "manifest.yml").read_text()
    assert text.count(f"request_url: https://deskbot.example.com{EVENTS_PATH}") >= 2
    assert HEALTH_PATH in text
    assert (ROOT / "Procfile").read_text().strip() == "web: deskbot serve --http --port $PORT"
