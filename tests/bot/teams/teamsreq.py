"""Teams activities as Teams sends them, signed and posted to the bot's /api/messages.

`Activities` builds the JSON of personal-chat messages, channel posts and
replies (@mentioning the bot), group-chat messages, feedback invokes and card
submits, with fresh ids and the fake connector's serviceUrl. `TeamsSender`
posts them with a token from the fake Bot Framework login.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import httpx

from tests.fakes.teams_login import FakeBotFrameworkLogin

APP_ID = "0b07e5a1-7e57-4d3b-9c1e-deadbeef0001"
BOT = f"28:{APP_ID}"
BOT_NAME = "deskbot"
SECRET = "teams-test-client-secret-value"
TENANT = "11111111-2222-4333-8444-555555555555"
OTHER_TENANT = "99999999-8888-4777-8666-555555555555"
USER_AAD = "aaaaaaaa-0000-4000-8000-000000000001"
ADMIN_AAD = "aaaaaaaa-0000-4000-8000-00000000ad01"
CHANNEL = "19:help0channel0001@thread.tacv2"
OTHER_CHANNEL = "19:random0channel02@thread.tacv2"
TEAM = "19:team0000000000001@thread.tacv2"
GROUP_CHAT = "19:meeting0group0chat01@thread.v2"


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


class Activities:
    """Inbound activities addressed to the bot, each with a fresh id."""

    def __init__(self, service_url: str, tenant: str = TENANT) -> None:
        self.service_url, self.tenant = service_url, tenant
        self._ids = itertools.count(1_600_000_000_001)

    def next_id(self) -> str:
        return str(next(self._ids))

    def _base(self, kind: str, conversation: str, *, user: str, name: str, tenant: str) -> dict:
        return {
            "type": "message",
            "id": self.next_id(),
            "timestamp": "2026-11-28T10:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:teams-{user[-4:]}", "name": name, "aadObjectId": user},
            "conversation": {"conversationType": kind, "tenantId": tenant, "id": conversation},
            "recipient": {"id": BOT, "name": BOT_NAME},
            "textFormat": "plain",
            "locale": "en-US",
            "entities": [{"type": "clientInfo", "locale": "en-US", "platform": "Web"}],
            "channelData": {"tenant": {"id": tenant}},
        }

    def personal(self, text: str, *, user: str = USER_AAD, name: str = "Alice Example") -> dict:
        activity = self._base(
            "personal", f"a:1personal-{user[-4:]}", user=user, name=name, tenant=self.tenant
        )
        activity["text"] = text
        return activity

    def channel(
        self,
        text: str,
        *,
        channel: str = CHANNEL,
        root: str | None = None,
        mention: bool = True,
        user: str = USER_AAD,
        name: str = "Alice Example",
        tenant: str | None = None,
    ) -> dict:
        """A new post in `channel` (root None) or a reply in the thread of post `root`."""
        tenant = tenant or self.tenant
        activity = self._base("channel", "", user=user, name=name, tenant=tenant)
        thread = root or activity["id"]
        activity["conversation"]["id"] = f"{channel};messageid={thread}"
        activity["conversation"]["isGroup"] = True
        if root:
            activity["replyToId"] = root
        activity["channelData"].update(
            {
                "teamsChannelId": channel,
                "teamsTeamId": TEAM,
                "channel": {"id": channel},
                "team": {"id": TEAM, "aadGroupId": "cccccccc-0000-4000-8000-00000000000c"},
            }
        )
        self._mention(activity, text, mention)
        return activity

    def group(self, text: str, *, mention: bool = True, user: str = USER_AAD) -> dict:
        activity = self._base(
            "groupChat", GROUP_CHAT, user=user, name="Bob Example", tenant=self.tenant
        )
        activity["conversation"]["isGroup"] = True
        self._mention(activity, text, mention)
        return activity

    @staticmethod
    def _mention(activity: dict, text: str, mention: bool) -> None:
        if mention:
            tag = f"<at>{BOT_NAME}</at>"
            activity["text"] = f"{tag} {text}"
            activity["entities"].append(
                {"type": "mention", "text": tag, "mentioned": {"id": BOT, "name": BOT_NAME}}
            )
        else:
            activity["text"] = text

    def feedback(self, of: dict, message_id: str, reaction: str, text: str = "") -> dict:
        """A 👍/👎 click (with optional text) on bot message `message_id` in `of`'s conversation."""
        activity = self._like(of)
        activity.update(
            type="invoke",
            name="message/submitAction",
            replyToId=message_id,
            value={
                "actionName": "feedback",
                "actionValue": {"reaction": reaction, "feedback": f'{{"feedbackText":"{text}"}}'},
            },
        )
        activity.pop("text", None)
        return activity

    def card_submit(self, of: dict, message_id: str, data: dict) -> dict:
        """An Adaptive Card Action.Submit on bot message `message_id`: a message with value."""
        activity = self._like(of)
        activity.update(replyToId=message_id, value=data)
        activity.pop("text", None)
        activity["entities"] = [e for e in activity["entities"] if e["type"] != "mention"]
        return activity

    def _like(self, of: dict) -> dict:
        activity = {k: v for k, v in of.items()}
        activity["id"] = self.next_id()
        return activity


class TeamsSender:
    """POSTs activities to the bot, signed by the fake Bot Framework login."""

    def __init__(self, url: str, login: FakeBotFrameworkLogin) -> None:
        self.url, self.login = url, login
        self.http = httpx.Client(base_url=url, timeout=30)

    def post(self, activity: dict, *, token: str | None = "", **claims) -> httpx.Response:
        """Signed for this bot and the activity's serviceUrl unless `token`/`claims` say otherwise."""
        if token == "":
            token = self.login.token(APP_ID, activity.get("serviceUrl", ""), **claims)
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.http.post("/api/messages", json=activity, headers=headers)

    def close(self) -> None:
        self.http.close()
