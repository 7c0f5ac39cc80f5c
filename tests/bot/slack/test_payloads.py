"""Payloads shaped like real Slack traffic: Enterprise Grid, Slack Connect, assistant threads,
file shares, thread broadcasts, clicks on ephemeral messages.

The shapes follow the example payloads in Slack's own SDK test suites (bolt-python's
tests/scenario_tests: events_org_apps, events_shared_channels, events_assistant,
message_file_share, message_thread_broadcast, block_actions); the values are ours.
Each must be answered once, or ignored cleanly (200, no reply).
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from deskbot.core import messages
from tests.bot.slack.slackreq import answers, wait_answer, wait_until
from tests.fakes.slack import APP_ID, BOT_USER, TEAM

GRID = "E0GRID001"
OTHER_ORG = "T0OTHER01"  # a Slack Connect partner's workspace
GRID_USER = "W0GRIDUS1"  # Grid user ids start with W
HELP = "C0HELP001"
DM = "D0DM00001"


def callback(event: dict, *, shared: bool = False, event_id: str = "Ev0PAYLOAD") -> dict:
    """An Enterprise Grid event envelope, as an org-wide app installed on one workspace gets it."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "enterprise_id": GRID,
        "context_team_id": TEAM,
        "context_enterprise_id": GRID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": GRID,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": shared,
        "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIiwidGlkIjoiVDAwMDAwMDEifQ",
    }


def send(bot, payload: dict) -> None:
    response = bot.sender.post(json.dumps(payload).encode(), "application/json")
    assert response.status_code == 200, response.text


def user_event(slack, channel, text, *, kind="app_mention", team=TEAM, **extra) -> tuple:
    message = slack.user_message(channel, text, user=GRID_USER, thread_ts=extra.get("thread_ts"))
    event = {
        "client_msg_id": "9cbd4c5b-7ddf-4ede-b479-ad21fca66d63",
        "type": kind,
        "text": text,
        "user": GRID_USER,
        "ts": message.ts,
        "team": team,
        "user_team": team,
        "source_team": team,
        "user_profile": {"name": "jane", "real_name": "Jane Doe", "team": team},
        "channel": channel,
        "event_ts": message.ts,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "ba4",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
        **extra,
    }
    return message, event


def test_enterprise_grid_mention_is_answered_once(bot, slack):
    message, event = user_event(slack, HELP, f"<@{BOT_USER}> How do I connect to the VPN?")
    send(bot, callback(event))
    send(bot, callback(event))  # Slack's retry of the same event_id
    wait_answer(slack, HELP, message.ts)
    start = slack.calls_to("chat.startStream")[0].args
    assert (start["recipient_user_id"], start["recipient_team_id"]) == (GRID_USER, TEAM)
    time.sleep(0.2)
    assert len(answers(slack, HELP, message.ts)) == 1


def test_slack_connect_mention_streams_to_the_askers_workspace(bot, slack):
    text = f"<@{BOT_USER}> How do I connect to the VPN?"
    message, event = user_event(slack, HELP, text, team=OTHER_ORG)
    send(bot, callback(event, shared=True))
    wait_answer(slack, HELP, message.ts)
    start = slack.calls_to("chat.startStream")[0].args
    assert start["recipient_team_id"] == OTHER_ORG


def test_file_shared_with_a_question_in_a_dm_is_answered_once(bot, slack):
    message, event = user_event(
        slack,
        DM,
        "How do I connect to the VPN? screenshot attached",
        kind="message",
        subtype="file_share",
        channel_type="im",
        upload=False,
        display_as_bot=False,
        files=[
            {
                "id": "F0FILE001",
                "name": "vpn-error.png",
                "mimetype": "image/png",
                "filetype": "png",
                "size": 92582,
                "mode": "hosted",
                "url_private": "https://files.slack.com/files-pri/T0000001-F0FILE001/vpn-error.png",
            }
        ],
    )
    send(bot, callback(event))
    (reply,) = wait_answer(slack, DM, message.ts)
    assert "Northwind Connect" in reply.text


def test_mention_broadcast_from_a_thread_is_answered_once_in_the_thread(bot, slack):
    root = slack.user_message(HELP, "VPN trouble today?")
    text = f"<@{BOT_USER}> How do I connect to the VPN?"
    message, mention = user_event(slack, HELP, text, thread_ts=root.ts)
    broadcast = {
        **mention,
        "type": "message",
        "subtype": "thread_broadcast",
        "channel_type": "channel",
        "root": {"type": "message", "text": root.text, "user": root.user, "ts": root.ts},
    }
    send(bot, callback(mention, event_id="Ev0MENTION"))
    send(bot, callback(broadcast, event_id="Ev0BROADCAST"))
    wait_answer(slack, HELP, root.ts)
    time.sleep(0.2)
    assert len(answers(slack, HELP, root.ts)) == 1


def test_assistant_thread_in_enterprise_grid(bot, slack):
    root = slack.user_message(DM, "")
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": GRID_USER,
            "context": {"channel_id": HELP, "team_id": TEAM, "enterprise_id": GRID},
            "channel_id": DM,
            "thread_ts": root.ts,
        },
        "event_ts": root.ts,
    }
    send(bot, callback(started, event_id="Ev0STARTED"))
    wait_until(lambda: slack.calls_to("assistant.threads.setSuggestedPrompts"))
    message, event = user_event(
        slack,
        DM,
        "How do I connect to the VPN?",
        kind="message",
        thread_ts=root.ts,
        parent_user_id=GRID_USER,
        channel_type="im",
        assistant_thread={"action_token": "10647138185092.960436384805.afce3599"},
    )
    send(bot, callback(event, event_id="Ev0ASKED"))
    replies = wait_answer(slack, DM, root.ts, count=2)
    assert [r.text for r in replies][0] == messages.SLACK_GREETING
    assert slack.calls_to("assistant.threads.setStatus")[0].args["thread_ts"] == root.ts


def test_assistant_thread_title_change_is_ignored(bot, slack):
    root = slack.user_message(DM, "")
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "message": {
            "text": "New chat",
            "subtype": "assistant_app_thread",
            "user": GRID_USER,
            "type": "message",
            "edited": {},
            "thread_ts": root.ts,
            "reply_count": 2,
            "assistant_app_thread": {"title": "VPN from home", "title_blocks": [], "artifacts": []},
            "ts": root.ts,
        },
        "previous_message": {"text": "New chat", "user": GRID_USER, "ts": root.ts},
        "channel": DM,
        "hidden": True,
        "ts": "1726133701.028300",
        "event_ts": "1726133701.028300",
        "channel_type": "im",
    }
    send(bot, callback(changed))
    time.sleep(0.3)
    assert slack.methods() == ["auth.test"]


def test_click_on_an_ephemeral_message_in_grid_is_recorded(bot, slack):
    message, event = user_event(slack, HELP, f"<@{BOT_USER}> How do I connect to the VPN?")
    send(bot, callback(event))
    (reply,) = wait_answer(slack, HELP, message.ts)
    answer_id = next(b for b in reply.blocks if b["type"] == "actions")["elements"][0]["value"]
    payload = {
        "type": "block_actions",
        "user": {"id": GRID_USER, "username": "jane", "name": "jane", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": reply.ts,
            "channel_id": HELP,
            "is_ephemeral": True,
        },
        "trigger_id": "111.222.valid",
        "team": {
            "id": TEAM,
            "domain": "example",
            "enterprise_id": GRID,
            "enterprise_name": "Example Org",
        },
        "enterprise": {"id": GRID, "name": "Example Org"},
        "is_enterprise_install": False,
        "channel": {"id": HELP, "name": "it-help"},
        "response_url": slack.response_url("click"),
        "actions": [
            {
                "action_id": "deskbot_feedback_up",
                "block_id": "deskbot_actions",
                "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True},
                "value": answer_id,
                "type": "button",
                "action_ts": "1596530385.194939",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert bot.sender.post(body, "application/x-www-form-urlencoded").status_code == 200
    note = wait_until(lambda: slack.calls_to("chat.postEphemeral"))[0].args
    assert (note["user"], note["text"]) == (GRID_USER, messages.SLACK_FEEDBACK_THANKS)
    assert bot.store.feedback_counts()["up"] == 1
