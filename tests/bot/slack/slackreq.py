"""Requests shaped and signed the way Slack sends them, and a polling helper.

Events API deliveries are JSON envelopes; slash commands and interactivity are
form posts (interactivity puts its JSON in a `payload` field). Each carries
`X-Slack-Request-Timestamp` and `X-Slack-Signature` = v0 HMAC-SHA256 of
`v0:{timestamp}:{body}` with the app's signing secret.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import httpx

from tests.fakes.slack import APP_ID, BOT_USER, TEAM, Message

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USER = "U0USER01"
ADMIN = "U0ADMIN1"
_event_ids = itertools.count(1)


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def wait_until(check: Callable, timeout: float = 10.0, what: str = "condition"):
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def envelope(event: dict, event_id: str | None = None) -> dict:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "context_team_id": TEAM,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMDAwMDAwMSJ9",
    }


def message_event(message: Message, kind: str = "message", extra: dict | None = None) -> dict:
    """The event for a message the fake holds: `app_mention` or `message` (with channel_type)."""
    event = {
        "type": kind,
        "user": message.user,
        "text": message.text,
        "ts": message.ts,
        "channel": message.channel,
        "event_ts": message.ts,
        "team": TEAM,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "b1",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "…"}]}
                ],
            }
        ],
    }
    if message.thread_ts:
        event["thread_ts"] = message.thread_ts
        event["parent_user_id"] = USER
    if kind == "message":
        event["channel_type"] = {"D": "im", "G": "group"}.get(message.channel[:1], "channel")
    event.update(extra or {})
    return event


def thread_started_event(channel: str, thread_ts: str, user: str = USER) -> dict:
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": user,
            "context": {"channel_id": "C0HELP001", "team_id": TEAM, "enterprise_id": None},
            "channel_id": channel,
            "thread_ts": thread_ts,
        },
        "event_ts": thread_ts,
    }


class SlackSender:
    """Posts signed requests to the bot's /slack/events."""

    def __init__(self, base_url: str, secret: str = SIGNING_SECRET) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.secret = secret

    def close(self) -> None:
        self.http.close()

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict | None = None,
    ) -> httpx.Response:
        timestamp = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or sign(body, timestamp, self.secret),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        return self.http.post("/slack/events", content=body, headers=sent)

    def event(
        self, event: dict, *, event_id: str | None = None, retry: int | None = None, **kw
    ) -> httpx.Response:
        body = json.dumps(envelope(event, event_id)).encode()
        headers = {}
        if retry is not None:
            headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(body, "application/json", headers=headers, **kw)

    def command(
        self, text: str = "", *, user: str = ADMIN, command: str = "/reindex", response_url: str
    ) -> httpx.Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "example",
            "channel_id": "C0HELP001",
            "channel_name": "it-help",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "1234.5678.abcd",
        }
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def click(
        self, message: Message, action_id: str, *, user: str = USER, response_url: str = ""
    ) -> httpx.Response:
        """A block_actions payload for the button `action_id` on a bot message."""
        button = next(
            e
            for b in message.blocks
            if b.get("type") == "actions"
            for e in b["elements"]
            if e["action_id"] == action_id
        )
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": False,
                "thread_ts": message.thread_ts,
            },
            "trigger_id": "1234.5678.efgh",
            "team": {"id": TEAM, "domain": "example"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": message.channel, "name": "it-help"},
            "message": {**message.as_api(), "blocks": message.blocks},
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "deskbot_actions",
                    "text": button["text"],
                    "value": button["value"],
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")


def answers(slack, channel: str, thread_ts: str) -> list[Message]:
    """The bot's finished replies in a thread (streams that were stopped, posted messages)."""
    return [m for m in slack.bot_replies(channel, thread_ts) if not m.streaming]


def wait_answer(slack, channel: str, thread_ts: str, count: int = 1) -> list[Message]:
    def done():
        found = answers(slack, channel, thread_ts)
        return found if len(found) >= count else None

    return wait_until(done, what=f"{count} bot repl(ies) in {channel}/{thread_ts}")
