"""A fake Bot Connector (the `serviceUrl` Teams names), on a real local HTTP server.

It answers what the SDK's connector client calls, the way the Teams service
does: `POST v3/conversations/{id}/activities[/{replyToId}]` -> 201 `{"id"}`
(streamed updates and the final message keep the stream's id), `PUT
…/activities/{id}` -> 200, `POST v3/conversations` (a new channel thread) ->
201 `{"id", "activityId"}`. Calls without a Bearer token from the fake Entra get
401. Every call is recorded with its activity and Authorization header.

Knobs: `fail_next(status, body, headers, times)` for any call; the canned
refusals `throttle(retry_after)` (429 + Retry-After), `refuse_stream()` (403
ContentStreamNotAllowed) and `streaming_unsupported()` (400 BadArgument).
`FakeConnector(tls=True)` speaks https, as the real one does (tests/fakes/tls.py).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote

from tests.fakes.http import FakeService, Reply, Request

PREFIX = "/amer"


@dataclass
class _Failure:
    status: int
    body: object
    headers: dict = field(default_factory=dict)


@dataclass
class Posted:
    op: str  # "send", "reply", "update", "create"
    conversation: str
    reply_to: str | None
    activity: dict
    authorization: str
    at: float  # time.perf_counter() on arrival
    status: int = 201
    id: str | None = None  # what the connector answered
    failure: _Failure | None = None

    @property
    def type(self) -> str:
        return self.activity.get("type", "")

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""

    def entity(self, schema_type: str) -> dict | None:
        entities = self.activity.get("entities") or []
        return next((e for e in entities if e.get("type") == schema_type), None)


class FakeConnector(FakeService):
    def __init__(self, *, tls: bool = False) -> None:
        super().__init__(tls=tls)
        self.posted: list[Posted] = []
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1_700_000_000_001)
        self._state = threading.Lock()
        base = PREFIX + r"/v3/conversations"
        self.route("POST", base, self._create)
        self.route("POST", base + r"/(?P<conv>[^/]+)/activities(?:/(?P<reply>[^/]+))?", self._post)
        self.route("PUT", base + r"/(?P<conv>[^/]+)/activities/(?P<id>[^/]+)", self._update)

    def start(self) -> FakeConnector:
        super().start()
        self._server.socket.listen(256)  # bursts of 50 concurrent turns (the load benchmark)
        return self

    @property
    def service_url(self) -> str:
        return self.url + PREFIX + "/"

    # --- knobs -----------------------------------------------------------------------
    def fail_next(self, status: int, body: object = None, headers: dict | None = None, times=1):
        with self._state:
            self._failures += [_Failure(status, body, headers or {}) for _ in range(times)]

    def throttle(self, retry_after: float = 0, times: int = 1) -> None:
        body = {"error": {"code": "Throttled", "message": "Too many requests"}}
        self.fail_next(429, body, {"Retry-After": str(retry_after)}, times)

    def refuse_stream(self) -> None:
        body = {"error": {"code": "ContentStreamNotAllowed", "message": "Stream stopped by user"}}
        self.fail_next(403, body)

    def streaming_unsupported(self) -> None:
        body = {"error": {"code": "BadArgument", "message": "streaming api is not enabled"}}
        self.fail_next(400, body)

    # --- what tests read -------------------------------------------------------------
    def activities(self, conversation: str | None = None, *, ok: bool = True) -> list[Posted]:
        with self._state:
            return [
                p
                for p in self.posted
                if (conversation is None or p.conversation == conversation)
                and (not ok or p.status < 300)
            ]

    def messages(self, conversation: str | None = None) -> list[Posted]:
        return [p for p in self.activities(conversation) if p.type == "message"]

    # --- routes ----------------------------------------------------------------------
    def _record(self, request: Request, op: str, conversation: str, reply_to=None) -> Posted:
        posted = Posted(
            op=op,
            conversation=unquote(conversation),
            reply_to=unquote(reply_to) if reply_to else None,
            activity=request.json() or {},
            authorization=request.headers.get("authorization", ""),
            at=time.perf_counter(),
        )
        with self._state:
            self.posted.append(posted)
            failure = self._failures.pop(0) if self._failures else None
        if not posted.authorization.startswith("Bearer outgoing-token-"):
            posted.failure = _Failure(401, {"error": {"code": "Unauthorized"}})
        elif failure is not None:
            posted.failure = failure
        return posted

    def _reply(self, posted: Posted, ok_status: int, body: dict) -> Reply:
        if posted.failure is not None:
            posted.status = posted.failure.status
            return Reply(posted.failure.status, posted.failure.body, posted.failure.headers)
        posted.status = ok_status
        posted.id = body.get("id")
        return Reply(ok_status, body)

    def _post(self, request: Request) -> Reply:
        conv, reply = request.match["conv"], request.match["reply"]
        posted = self._record(request, "reply" if reply else "send", conv, reply)
        stream = posted.entity("streaminfo") or {}
        new_id = stream.get("streamId") or str(next(self._ids))
        return self._reply(posted, 201, {"id": new_id})

    def _update(self, request: Request) -> Reply:
        posted = self._record(request, "update", request.match["conv"], request.match["id"])
        return self._reply(posted, 200, {"id": unquote(request.match["id"])})

    def _create(self, request: Request) -> Reply:
        posted = self._record(request, "create", "")
        channel = ((posted.activity.get("channelData") or {}).get("channel") or {}).get("id", "")
        posted.conversation = channel
        root = str(next(self._ids))
        return self._reply(posted, 201, {"id": f"{channel};messageid={root}", "activityId": root})
