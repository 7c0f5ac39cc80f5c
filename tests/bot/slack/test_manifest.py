"""manifest.yml and Procfile agree with what the bot does."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack.events import EVENTS, FOLLOWUP_EVENTS
from bot.slack.server import EVENTS_PATH, HEALTH_PATH
from deskbot.core import messages
from deskbot.core.config import Settings

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_subscribes_to_what_the_defaults_use_and_no_more(manifest):
    """Mention-less follow-ups are off by default: no channel-wide message events."""
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted(EVENTS)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


@pytest.mark.parametrize(
    "scope, why",
    [
        ("app_mentions:read", "app_mention events"),
        ("assistant:write", "assistant.threads.setStatus / setSuggestedPrompts / setTitle"),
        ("chat:write", "chat.postMessage, chat.update, chat.startStream, chat.postEphemeral"),
        ("reactions:write", "reactions.add / reactions.remove"),
        ("channels:history", "conversations.replies in channels; message.channels"),
        ("groups:history", "conversations.replies in private channels; message.groups"),
        ("mpim:history", "conversations.replies in group DMs; message.mpim"),
        ("im:history", "message.im and replies in DMs"),
        ("commands", "the slash command"),
    ],
)
def test_manifest_grants_the_scopes_the_bot_uses(manifest, scope, why):
    assert scope in manifest["oauth_config"]["scopes"]["bot"], why


def test_followup_opt_in_is_documented_with_its_events():
    """ANSWER_THREAD_FOLLOWUPS needs one message event per kind of conversation, group DMs too."""
    assert set(FOLLOWUP_EVENTS) == {"message.channels", "message.groups", "message.mpim"}
    text = (ROOT / "manifest.yml").read_text()
    readme = (ROOT / "README.md").read_text()
    opt_in = readme[readme.index("ANSWER_THREAD_FOLLOWUPS=true") :][:400]
    for event in FOLLOWUP_EVENTS:
        assert f"      # - {event}\n" in text, event  # ready to uncomment under bot_events
        assert f"`{event}`" in opt_in, event
    assert "ANSWER_THREAD_FOLLOWUPS" in (ROOT / ".env.example").read_text()


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
