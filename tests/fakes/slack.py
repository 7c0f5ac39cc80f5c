"""A fake Slack Web API on a real local HTTP server, for driving the bot through slack_sdk.

Point the bot at it with `SLACK_API_URL=<fake.api_url>`. It keeps channel history
(messages the "users" wrote and the bot's own), answers the methods the bot calls
the way Slack does (form or JSON bodies, `ok:false` errors, 429 with Retry-After),
records every call with its arguments and arrival time, and serves `response_url`
endpoints for slash commands and interactivity. Blocks are checked with slack_sdk's
Block Kit models (`invalid_blocks` as Slack answers), and conversations.replies pages
like Slack: oldest first, `limit` a page, `has_more` and `response_metadata.next_cursor`.

Knobs: `fail(method, error, times)`, `rate_limit(method, times, retry_after)`,
`stream_supported = False` (chat.startStream answers `method_not_supported_for_channel_type`).
With a `socket` (tests/fakes/socket_mode.FakeSocketMode), `apps.connections.open` answers the
app token (`APP_TOKEN`; `app_token = None` revokes it) with a one-time WebSocket URL.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

from tests.fakes.http import FakeService, Reply, Request
from tests.fakes.slack_wire import arguments, block_problems, stream_text

BOT_TOKEN = "xoxb-111-222-fake"
APP_TOKEN = "xapp-1-A0000001-333-fake"
BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM = "T0000001"
APP_ID = "A0000001"
WITH_BLOCKS = frozenset(
    {"chat.postMessage", "chat.update", "chat.stopStream", "chat.postEphemeral"}
)


@dataclass
class ApiCall:
    method: str
    args: dict
    at: float  # time.perf_counter() on arrival
    status: int = 200
    error: str | None = None


@dataclass
class Message:
    channel: str
    ts: str
    text: str = ""
    user: str = ""
    bot_id: str | None = None
    thread_ts: str | None = None
    blocks: list = field(default_factory=list)
    streaming: bool = False
    done_at: float | None = None  # time.perf_counter() when the message became final

    def as_api(self) -> dict:
        data = {"type": "message", "ts": self.ts, "text": self.text, "user": self.user}
        if self.bot_id:
            data["bot_id"] = self.bot_id
            data["app_id"] = APP_ID
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.blocks:
            data["blocks"] = self.blocks
        return data


class FakeSlack(FakeService):
    def __init__(self, token: str = BOT_TOKEN, *, socket=None, app_token: str = APP_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.socket = socket  # a FakeSocketMode for apps.connections.open
        self.app_token: str | None = app_token
        self.api: list[ApiCall] = []
        self.messages: dict[str, list[Message]] = {}
        self.responses: list[tuple[str, dict, float]] = []  # (response_url id, body, time)
        self.users: dict[str, dict] = {}
        self.stream_supported = True
        self._failures: dict[str, list[str]] = {}
        self._limits: dict[str, list[int]] = {}
        self._ts = itertools.count(1)
        self._state = threading.Lock()
        self.route("POST", r"/api/(?P<method>[A-Za-z.]+)", self._api)
        self.route("GET", r"/api/(?P<method>[A-Za-z.]+)", self._api)
        self.route("POST", r"/response/(?P<id>[\w-]+)", self._response)

    def start(self) -> FakeSlack:
        super().start()
        # Slack takes bursts; the stdlib default backlog (5) would reset connections under
        # the load benchmark's 50 concurrent mentions. listen() again raises it.
        self._server.socket.listen(256)
        return self

    # --- what tests use --------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}`."""
        with self._state:
            self._failures.setdefault(method, []).extend([error] * times)

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls of `method` answer HTTP 429 with Retry-After."""
        with self._state:
            self._limits.setdefault(method, []).extend([retry_after] * times)

    def calls_to(self, method: str, *, ok_only: bool = True) -> list[ApiCall]:
        with self._state:
            return [
                c
                for c in self.api
                if c.method == method and (not ok_only or (c.status == 200 and not c.error))
            ]

    def methods(self) -> list[str]:
        with self._state:
            return [c.method for c in self.api]

    def user_message(
        self, channel: str, text: str, *, user: str = "U0USER01", thread_ts: str | None = None
    ) -> Message:
        """A message a person wrote (so conversations.replies can return it)."""
        return self._store(Message(channel, self._next_ts(), text, user, None, thread_ts))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        with self._state:
            return [
                m
                for m in self.messages.get(channel, [])
                if m.ts == thread_ts or m.thread_ts == thread_ts
            ]

    def bot_replies(self, channel: str, thread_ts: str) -> list[Message]:
        return [m for m in self.thread(channel, thread_ts) if m.bot_id and m.ts != thread_ts]

    # --- plumbing --------------------------------------------------------------------
    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    def _store(self, message: Message) -> Message:
        with self._state:
            self.messages.setdefault(message.channel, []).append(message)
        return message

    def _find(self, channel: str, ts: str) -> Message | None:
        with self._state:
            return next((m for m in self.messages.get(channel, []) if m.ts == ts), None)

    def _response(self, request: Request) -> Reply:
        with self._state:
            self.responses.append((request.match["id"], request.json(), time.perf_counter()))
        return Reply(200, "ok")

    def _api(self, request: Request) -> Reply:
        method = request.match["method"]
        args = arguments(request)
        call = ApiCall(method, args, time.perf_counter())
        with self._state:
            self.api.append(call)
            limit = self._limits.get(method)
            retry_after = limit.pop(0) if limit else None
            failures = self._failures.get(method)
            forced = failures.pop(0) if failures and retry_after is None else None
        if retry_after is not None:
            call.status = 429
            return Reply(
                429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
            )
        call.error = self._auth_error(method, request.headers.get("authorization") or "") or forced
        if call.error:
            return Reply(200, {"ok": False, "error": call.error})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            call.error = "unknown_method"
            return Reply(200, {"ok": False, "error": "unknown_method"})
        problems = block_problems(args.get("blocks")) if method in WITH_BLOCKS else []
        body = {"ok": False, "error": "invalid_blocks", "errors": problems} if problems else None
        body = body or handler(args)
        call.error = None if body.get("ok") else body.get("error")
        return Reply(200, body)

    def _auth_error(self, method: str, authorization: str) -> str | None:
        """Slack's answer to the token: the app token only opens Socket Mode connections."""
        token = authorization.removeprefix("Bearer ")
        if method == "apps.connections.open":
            if token.startswith("xapp-"):
                return None if token == self.app_token else "invalid_auth"
            return "not_allowed_token_type" if token else "not_authed"
        if token.startswith("xapp-"):
            return "not_allowed_token_type"
        return None if token == self.token else "invalid_auth"

    # --- Web API methods -------------------------------------------------------------
    def _m_apps_connections_open(self, args: dict) -> dict:
        if self.socket is None:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.socket.ticket()}

    def _m_auth_test(self, args: dict) -> dict:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "deskbot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _bot_message(self, args: dict, text: str = "") -> Message:
        return self._store(
            Message(
                args["channel"],
                self._next_ts(),
                text or args.get("text", ""),
                BOT_USER,
                BOT_ID,
                args.get("thread_ts"),
                args.get("blocks") or [],
            )
        )

    def _m_chat_postMessage(self, args: dict) -> dict:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if len(args.get("text") or "") > 40_000 or len(args.get("blocks") or []) > 50:
            return {"ok": False, "error": "msg_too_long"}
        message = self._bot_message(args)
        message.done_at = time.perf_counter()
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "message": message.as_api(),
        }

    def _m_chat_update(self, args: dict) -> dict:
        message = self._find(args.get("channel", ""), args.get("ts", ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.text = args.get("text", message.text)
        message.blocks = args.get("blocks", message.blocks)
        message.streaming = False
        message.done_at = time.perf_counter()
        return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text}

    def _m_chat_startStream(self, args: dict) -> dict:
        if not self.stream_supported:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        if not args.get("thread_ts"):
            return {"ok": False, "error": "invalid_arguments"}
        message = self._bot_message(args, stream_text(args))
        message.streaming = True
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _m_chat_appendStream(self, args: dict) -> dict:
        message = self._find(args.get("channel", ""), args.get("ts", ""))
        if message is None or not message.streaming:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        message.text += stream_text(args)
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _m_chat_stopStream(self, args: dict) -> dict:
        message = self._find(args.get("channel", ""), args.get("ts", ""))
        if message is None or not message.streaming:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        message.text += stream_text(args)
        message.blocks = args.get("blocks") or []
        message.streaming = False
        message.done_at = time.perf_counter()
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "message": message.as_api(),
        }

    def _m_chat_postEphemeral(self, args: dict) -> dict:
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_getPermalink(self, args: dict) -> dict:
        channel, ts = args.get("channel", ""), args.get("message_ts", "")
        if self._find(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _m_reactions_add(self, args: dict) -> dict:
        return {"ok": True}

    def _m_reactions_remove(self, args: dict) -> dict:
        return {"ok": True}

    def _m_conversations_replies(self, args: dict) -> dict:
        """Oldest first, `limit` a page; the parent leads the first page only."""
        messages = self.thread(args.get("channel", ""), args.get("ts", ""))
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        limit = min(int(args.get("limit") or 1000), 1000)
        cursor = args.get("cursor") or ""
        try:
            start = int(cursor.removeprefix("bmV4dF90czo")) if cursor else 0
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": [m.as_api() for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": f"bmV4dF90czo{start + limit}" if more else ""},
        }

    def _m_users_info(self, args: dict) -> dict:
        user = args.get("user", "")
        info = self.users.get(user, {"name": user.lower(), "real_name": f"User {user}"})
        return {"ok": True, "user": {"id": user, "tz": "Europe/Berlin", **info}}

    def _m_assistant_threads_setStatus(self, args: dict) -> dict:
        return {"ok": True}

    def _m_assistant_threads_setSuggestedPrompts(self, args: dict) -> dict:
        if not args.get("prompts"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}

    def _m_assistant_threads_setTitle(self, args: dict) -> dict:
        return {"ok": True}
