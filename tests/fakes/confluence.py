"""A fake Confluence (Cloud or Data Center) speaking REST API v1 over real HTTP.

Serves `/rest/api/space`, `/rest/api/space/{key}`, `/rest/api/content?spaceKey=…` and
`/rest/api/content/{id}` under a context path ("/wiki" for Cloud, "/confluence" for
Data Center), with Confluence's own pagination (`results`, `start`, `limit`, `size`,
`_links.next` relative to `_links.base`), expansions, labels, ancestors and versions.

Typical use::

    with FakeConfluence() as fake:              # or FakeConfluence(flavor="dc")
        fake.add_page("ENG", "101", "Home", "<p>Welcome</p>")
        fake.add_page("ENG", "102", "VPN", "<h1>Setup</h1>", ancestors=["101"])
        source = ConfluenceSource(["ENG"], base_url=fake.base_url,
                                  email=fake.email, api_token=fake.api_token)

Knobs: `fail_next(status, n, retry_after=…)`, `slow_next(seconds, n, after=…)`, `max_limit` (server
caps the page size), `cursor=True` (opaque cursors instead of `start`), `absolute_next`,
`vanish_after_listing(id)` (listed without body, deleted before the client reads it),
`break_body(id)` (listed without body, reading it answers 500), `update_page`, `delete_page`.
"""

from __future__ import annotations

import base64
import contextlib
import re
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus, urlencode

from tests.fakes.http import FakeService, Reply, Request

EPOCH = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


@dataclass
class FakePage:
    id: str
    space: str
    title: str
    body: str
    labels: list[str] = field(default_factory=list)
    ancestors: list[str] = field(default_factory=list)  # page ids, root first
    version: int = 1
    when: str = ""


@dataclass
class _Fault:
    status: int | None  # None: answer normally, after `delay`
    remaining: int
    retry_after: str | None = None
    path: re.Pattern | None = None
    delay: float = 0.0
    body: object = None
    after: int = 0  # matching requests to let through untouched first


def tiny_code(page_id: str | int) -> str:
    """Confluence's /x/ short-link code for a page id."""
    raw = base64.b64encode(int(page_id).to_bytes(8, "little")).decode().rstrip("=")
    return raw.rstrip("A").replace("/", "-").replace("+", "_")


class FakeConfluence(FakeService):
    def __init__(
        self,
        *,
        flavor: str = "cloud",
        email: str | None = "bot@example.com",
        api_token: str | None = "cloud-token-S3CRET-123",
        pat: str | None = "dc-pat-S3CRET-456",
        context: str | None = None,
        max_limit: int | None = None,
        cursor: bool = False,
        absolute_next: bool = False,
    ) -> None:
        super().__init__()
        self.flavor, self.email, self.api_token, self.pat = flavor, email, api_token, pat
        self.context = (
            context if context is not None else {"cloud": "/wiki"}.get(flavor, "/confluence")
        )
        self.max_limit, self.cursor, self.absolute_next = max_limit, cursor, absolute_next
        self.spaces: dict[str, dict] = {}
        self.pages: dict[str, FakePage] = {}
        self.vanishing: set[str] = set()
        self.broken: set[str] = set()
        self._faults: list[_Fault] = []
        self._cursors: dict[str, int] = {}
        self._clock = 0
        self._state = threading.RLock()
        ctx = re.escape(self.context)
        self.route("GET", ctx + r"/rest/api/space", self._list_spaces)
        self.route("GET", ctx + r"/rest/api/space/(?P<key>[^/]+)", self._get_space)
        self.route("GET", ctx + r"/rest/api/content", self._list_content)
        self.route("GET", ctx + r"/rest/api/content/(?P<id>\d+)", self._get_content)

    @property
    def base_url(self) -> str:
        return self.url + self.context

    def stop(self) -> None:
        """Stop at once: poke the server so it need not wait out its 0.5 s poll."""
        server = self._server
        if server is None:
            return
        stopper = threading.Thread(target=super().stop)
        stopper.start()
        while stopper.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection(server.server_address[:2], timeout=0.1).close()
            stopper.join(0.01)

    # --- state the tests drive --------------------------------------------------------
    def add_space(self, key: str, name: str | None = None, *, status: str = "current") -> None:
        with self._state:
            self.spaces[key] = {"key": key, "name": name or f"{key} space", "status": status}

    def add_page(
        self,
        space: str,
        id: str,
        title: str,
        body: str,
        labels=(),
        ancestors=(),
    ) -> FakePage:
        """Add a page (its space too if new). `ancestors`: ids of existing pages, root first."""
        with self._state:
            if space not in self.spaces:
                self.add_space(space)
            for ancestor in ancestors:
                if str(ancestor) not in self.pages:
                    raise KeyError(f"ancestor page {ancestor} does not exist")
            page = FakePage(str(id), space, title, body, list(labels), [str(a) for a in ancestors])
            page.when = self._tick()
            self.pages[page.id] = page
            return page

    def update_page(self, id: str, *, title=None, body=None, labels=None) -> FakePage:
        """Edit a page: bumps its version and last-modified time like a real edit."""
        with self._state:
            page = self.pages[str(id)]
            page.title = page.title if title is None else title
            page.body = page.body if body is None else body
            page.labels = page.labels if labels is None else list(labels)
            page.version += 1
            page.when = self._tick()
            return page

    def delete_page(self, id: str) -> None:
        with self._state:
            del self.pages[str(id)]

    def vanish_after_listing(self, id: str) -> None:
        """Next listing shows the page without its body, then the page is deleted (404)."""
        with self._state:
            self.vanishing.add(str(id))

    def break_body(self, id: str) -> None:
        """Listings show the page without its body; reading it alone answers 500."""
        with self._state:
            self.broken.add(str(id))

    def fail_next(
        self, status: int, n: int = 1, retry_after=None, *, path: str | None = None, body=None
    ) -> None:
        """The next `n` requests (matching `path` regex, if given) answer `status`."""
        with self._state:
            self._faults.append(
                _Fault(
                    status,
                    n,
                    None if retry_after is None else str(retry_after),
                    re.compile(path) if path else None,
                    body=body,
                )
            )

    def slow_next(
        self, seconds: float, n: int = 1, *, path: str | None = None, after: int = 0
    ) -> None:
        """The next `n` requests (after `after` untouched ones) answer only after `seconds`."""
        with self._state:
            pattern = re.compile(path) if path else None
            self._faults.append(_Fault(None, n, path=pattern, delay=seconds, after=after))

    # --- dispatch: faults, then auth, then the routes ---------------------------------
    def dispatch(self, request: Request) -> Reply:
        fault = self._take_fault(request)
        if fault is not None and fault.status is not None:
            self._record(request)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            body = fault.body if fault.body is not None else _error(fault.status, "Injected")
            return Reply(fault.status, body, headers)
        if not self._authorized(request.headers.get("authorization", "")):
            self._record(request)
            return Reply(401, _error(401, "Unauthorized"), {"WWW-Authenticate": "Basic"})
        with self._state:
            reply = super().dispatch(request)
        if fault is not None:
            reply.delay = fault.delay
        return reply

    def _record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)

    def _take_fault(self, request: Request) -> _Fault | None:
        with self._state:
            for fault in self._faults:
                if fault.path is None or fault.path.search(request.path):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic" and self.email and self.api_token:
            try:
                return base64.b64decode(value).decode() == f"{self.email}:{self.api_token}"
            except ValueError:
                return False
        return scheme.lower() == "bearer" and bool(self.pat) and value == self.pat

    # --- routes -----------------------------------------------------------------------
    def _list_spaces(self, request: Request) -> Reply:
        status = request.arg("status")
        spaces = [s for s in self.spaces.values() if status in (None, s["status"])]
        start, limit = self._window(request)
        results = [self._space_json(s["key"]) for s in spaces[start : start + limit]]
        return Reply(200, self._paged(request, results, start, limit, len(spaces)))

    def _get_space(self, request: Request) -> Reply:
        key = request.match["key"]
        if key not in self.spaces:
            return Reply(404, _error(404, f"No space found with key : {key}"))
        return Reply(200, self._space_json(key))

    def _list_content(self, request: Request) -> Reply:
        key, status = request.arg("spaceKey"), request.arg("status", "current")
        if request.arg("type", "page") != "page" or status != "current":
            pages = []
        else:
            pages = [p for p in self.pages.values() if key in (None, p.space)]
        start, limit = self._window(request)
        window = pages[start : start + limit]
        expand = set((request.arg("expand") or "").split(","))
        results = []
        for page in window:
            hidden = page.id in self.vanishing or page.id in self.broken
            results.append(self._content_json(page, expand, with_body=not hidden))
            if page.id in self.vanishing:
                self.vanishing.discard(page.id)
                del self.pages[page.id]
        return Reply(200, self._paged(request, results, start, limit, len(pages)))

    def _get_content(self, request: Request) -> Reply:
        page_id = request.match["id"]
        if page_id in self.broken:
            return Reply(500, _error(500, "Could not render the page body"))
        if page_id not in self.pages:
            return Reply(404, _error(404, f"No content found with id: ContentId{{id={page_id}}}"))
        expand = set((request.arg("expand") or "space,history,version").split(","))
        return Reply(200, self._content_json(self.pages[page_id], expand))

    # --- JSON shapes --------------------------------------------------------------------
    def _window(self, request: Request) -> tuple[int, int]:
        limit = int(request.arg("limit", "25"))
        limit = min(limit, self.max_limit) if self.max_limit else limit
        if self.cursor and request.arg("cursor"):
            return self._cursors[request.arg("cursor")], limit
        return int(request.arg("start", "0")), limit

    def _paged(self, request: Request, results: list, start: int, limit: int, total: int) -> dict:
        links = {"base": self.base_url, "context": self.context, "self": self.base_url}
        if start + len(results) < total:
            query = {k: v[-1] for k, v in request.query.items() if k not in ("start", "cursor")}
            query["limit"] = str(limit)
            if self.cursor:
                token = secrets.token_urlsafe(6)
                self._cursors[token] = start + len(results)
                query["cursor"] = token
            else:
                query["start"] = str(start + len(results))
            rest_path = request.path[len(self.context) :]
            links["next"] = f"{rest_path}?{urlencode(query)}"
            if self.absolute_next:
                links["next"] = self.base_url + links["next"]
        return {
            "results": results,
            "start": start,
            "limit": limit,
            "size": len(results),
            "_links": links,
        }

    def _space_json(self, key: str) -> dict:
        space = self.spaces[key]
        webui = f"/spaces/{key}" if self.flavor == "cloud" else f"/display/{key}"
        return {
            "id": abs(hash(key)) % 10**6,
            "key": key,
            "name": space["name"],
            "type": "personal" if key.startswith("~") else "global",
            "status": space["status"],
            "_links": {"webui": webui, "self": f"{self.base_url}/rest/api/space/{key}"},
        }

    def _webui(self, page: FakePage) -> str:
        if self.flavor == "cloud":
            return f"/spaces/{page.space}/pages/{page.id}/{quote_plus(page.title)}"
        return f"/display/{page.space}/{quote_plus(page.title)}"

    def _content_json(self, page: FakePage, expand: set[str], with_body: bool = True) -> dict:
        data: dict = {
            "id": page.id,
            "type": "page",
            "status": "current",
            "title": page.title,
            "_links": {
                "webui": self._webui(page),
                "tinyui": f"/x/{tiny_code(page.id)}",
                "self": f"{self.base_url}/rest/api/content/{page.id}",
            },
            "_expandable": {"children": f"/rest/api/content/{page.id}/child"},
        }
        if "body.storage" in expand and with_body:
            data["body"] = {"storage": {"value": page.body, "representation": "storage"}}
        else:
            data["_expandable"]["body"] = ""
        if "version" in expand:
            data["version"] = {"number": page.version, "when": page.when, "minorEdit": False}
        if "ancestors" in expand:
            data["ancestors"] = [
                {"id": a, "type": "page", "status": "current", "title": self.pages[a].title}
                for a in page.ancestors
                if a in self.pages
            ]
        if "metadata.labels" in expand:
            labels = [
                {"prefix": "global", "name": n, "label": n, "id": str(i)}
                for i, n in enumerate(page.labels)
            ]
            data["metadata"] = {
                "labels": {"results": labels, "start": 0, "limit": 200, "size": len(labels)}
            }
        if "space" in expand:
            data["space"] = self._space_json(page.space)
        return data

    def _tick(self) -> str:
        self._clock += 1
        return (EPOCH + timedelta(minutes=self._clock)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _error(status: int, message: str) -> dict:
    return {
        "statusCode": status,
        "message": message,
        "data": {"authorized": status not in (401, 403)},
    }
