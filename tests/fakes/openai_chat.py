"""A fake OpenAI-compatible chat endpoint, good enough for the real `openai` SDK.

    with FakeOpenAIChat() as fake:
        fake.push("VPN: install the client [1].", fake.rate_limited(retry_after=1))
        client = fake.client()                      # openai.OpenAI at fake.base_url
        ...
        fake.chat_requests()                        # what the model saw (parsed bodies)

Replies are served from a queue; each item is a text, a `ChatReply`, a raw
`Reply` (errors), or a function of the request body returning one of those.
When the queue is empty `default` answers (text or function), else HTTP 400.
`add_chat_routes(service)` mounts the same endpoint on any FakeService, so a
tuning fake can share one server. Streaming (`"stream": true`) is answered as SSE.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import openai

from tests.fakes.http import FakeService, Reply, Request


@dataclass
class ChatReply:
    text: str
    usage: dict | None = None  # default: word counts of the request and the reply
    model: str | None = None
    delay: float = 0.0
    finish_reason: str = "stop"


Item = str | ChatReply | Reply | Callable[[dict], "str | ChatReply | Reply"]


def error(status: int, message: str, kind: str, code: str | None = None, **headers) -> Reply:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Reply(status, body, headers={k.replace("_", "-"): str(v) for k, v in headers.items()})


def _words(body: dict) -> int:
    return sum(len(str(m.get("content") or "").split()) for m in body.get("messages", []))


class ChatScript:
    """The queue of replies and the record of chat requests for one endpoint."""

    def __init__(
        self,
        default: str | Callable | None = None,
        model: str = "gpt-4.1-mini",
        reject_keys: tuple[str, ...] = (),
    ):
        self.queue: deque[Item] = deque()
        self.default = default
        self.reject_keys = set(reject_keys)  # these API keys get a 401 that echoes them
        self.model = model
        self.bodies: list[dict] = []
        self.headers: list[dict[str, str]] = []

    def push(self, *items: Item) -> None:
        self.queue.extend(items)

    def handle(self, request: Request) -> Reply:
        body = request.json() or {}
        self.bodies.append(body)
        self.headers.append(dict(request.headers))
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        if key in self.reject_keys:
            return self.unauthorized(key)
        item = self.queue.popleft() if self.queue else self.default
        if item is None:
            return error(400, "fake: no scripted reply left", "invalid_request_error")
        if callable(item):
            item = item(body)
        if isinstance(item, Reply):
            return item
        reply = item if isinstance(item, ChatReply) else ChatReply(str(item))
        return self._completion(body, reply)

    def _completion(self, body: dict, reply: ChatReply) -> Reply:
        usage = reply.usage or {
            "prompt_tokens": _words(body),
            "completion_tokens": len(reply.text.split()),
        }
        usage.setdefault("total_tokens", usage["prompt_tokens"] + usage["completion_tokens"])
        model = reply.model or body.get("model") or self.model
        if body.get("stream"):
            return Reply(200, _sse(model, reply, usage), {"Content-Type": "text/event-stream"})
        payload = {
            "id": f"chatcmpl-{len(self.bodies)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": usage,
        }
        return Reply(200, payload, delay=reply.delay)

    # --- canned failures ------------------------------------------------------------
    @staticmethod
    def rate_limited(retry_after: float | None = 1) -> Reply:
        headers = {} if retry_after is None else {"retry_after": retry_after}
        return error(429, "Rate limit reached", "requests", "rate_limit_exceeded", **headers)

    @staticmethod
    def server_error(status: int = 500) -> Reply:
        return error(status, "The server had an error", "server_error")

    @staticmethod
    def slow(seconds: float, text: str = "too late") -> ChatReply:
        return ChatReply(text, delay=seconds)

    @staticmethod
    def unauthorized(key: str = "") -> Reply:
        # Like some proxies, echo the key back: our logs must still never show it.
        message = f"Incorrect API key provided: {key}"
        return error(401, message, "invalid_request_error", "invalid_api_key")


def _sse(model: str, reply: ChatReply, usage: dict) -> bytes:
    def event(delta: dict, finish: str | None, extra: dict | None = None) -> str:
        chunk = {
            "id": "chatcmpl-stream",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **(extra or {}),
        }
        return f"data: {json.dumps(chunk)}\n\n"

    words = reply.text.split(" ")
    parts = [event({"role": "assistant", "content": ""}, None)]
    parts += [event({"content": w if i == 0 else " " + w}, None) for i, w in enumerate(words)]
    parts.append(event({}, reply.finish_reason, {"usage": usage}))
    return ("".join(parts) + "data: [DONE]\n\n").encode()


def add_chat_routes(service: FakeService, script: ChatScript | None = None) -> ChatScript:
    """Mount POST /v1/chat/completions on `service`; returns the script that drives it."""
    script = script or ChatScript()
    service.route("POST", r"/v1/chat/completions", script.handle)
    return script


class FakeOpenAIChat(FakeService):
    """A FakeService speaking the chat completions API; see the module docstring."""

    rate_limited = staticmethod(ChatScript.rate_limited)
    server_error = staticmethod(ChatScript.server_error)
    slow = staticmethod(ChatScript.slow)
    unauthorized = staticmethod(ChatScript.unauthorized)

    def __init__(
        self,
        *replies: Item,
        default: str | Callable | None = None,
        reject_keys: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.script = add_chat_routes(self, ChatScript(default, reject_keys=reject_keys))
        self.script.push(*replies)

    def push(self, *items: Item) -> None:
        self.script.push(*items)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def chat_requests(self) -> list[dict]:
        return list(self.script.bodies)

    def client(self, *, api_key: str = "sk-test-key", timeout: float = 5.0) -> openai.OpenAI:
        """The real SDK pointed at this fake, with its own retries off (ours are used)."""
        return openai.OpenAI(
            api_key=api_key, base_url=self.base_url, timeout=timeout, max_retries=0
        )
