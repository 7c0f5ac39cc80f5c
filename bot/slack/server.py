"""HTTP mode: waitress (a production WSGI server) in front of the Bolt app.

HTTP mode serves `POST /slack/events` (events, slash commands and interactivity
all use this one Request URL) and `GET /healthz` for load balancers and PaaS
health checks. `guard.py` decides what reaches Bolt: bodies up to 1 MiB, signed,
that parse.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.serve.health import status_line
from bot.slack.guard import MAX_BODY, check_request, refuse
from deskbot.core import messages
from deskbot.core.errors import ConfigError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HTTP_THREADS = 16


Health = Callable[[], tuple[bool, dict]]  # (healthy, JSON body): see bot/serve/health.py


def _always_healthy() -> tuple[bool, dict]:
    return True, {"ok": True, "status": messages.SLACK_HEALTHY}


def build_wsgi(
    app: App, *, signing_secret: str | None, health: Health = _always_healthy
) -> Callable:
    """The WSGI application: Bolt on /slack/events (checked first), a health check on /healthz."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok, report = health()
            start_response(status_line(ok), [("Content-Type", "application/json")])
            return [json.dumps(report).encode()]
        if path == EVENTS_PATH:
            if environ.get("REQUEST_METHOD") == "POST":
                refusal = check_request(environ, signing_secret)
                if refusal:
                    return refuse(environ, start_response, refusal)
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Not Found"]

    return wsgi


def require_server() -> None:
    """Fail early, with the fix, when the WSGI server is not installed."""
    try:
        import waitress  # noqa: F401
    except ImportError:
        raise ConfigError(messages.SLACK_NO_SERVER) from None


class HttpServer:
    """waitress on host:port (port 0 picks a free one; see `.port`).

    Requests must be signed with `signing_secret` (SLACK_SIGNING_SECRET); bodies over
    MAX_BODY get 413 from waitress before they are read.
    """

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str | None,
        host: str = "0.0.0.0",
        port: int = 3000,
        health: Health = _always_healthy,
    ) -> None:
        require_server()
        from waitress.server import TcpWSGIServer, create_server

        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # bursts queue by design
        server = create_server(
            build_wsgi(app, signing_secret=signing_secret, health=health),
            host=host,
            port=port,
            threads=HTTP_THREADS,
            ident="deskbot",
            max_request_body_size=MAX_BODY + 1,  # waitress refuses a body this size or more
        )
        if not isinstance(server, TcpWSGIServer):  # one host and one port: one TCP server
            raise TypeError(f"waitress built a {type(server).__name__} for {host}:{port}")
        self._server = server
        self.host = host

    @property
    def port(self) -> int:
        # types-waitress 3.0.1 lacks effective_port, which BaseWSGIServer.__init__ sets
        return int(self._server.effective_port)  # type: ignore[attr-defined]

    def serve_forever(self) -> None:
        log.info("deskbot listening on http://%s:%d%s", self.host, self.port, EVENTS_PATH)
        with contextlib.suppress(OSError, ValueError):  # close() shut the socket under the loop
            self._server.run()

    def start(self) -> HttpServer:
        """Serve in a daemon thread (tests, benchmarks)."""
        threading.Thread(target=self.serve_forever, name="deskbot-http", daemon=True).start()
        return self

    def close(self) -> None:
        self._server.close()
        self._server.task_dispatcher.shutdown(timeout=1)
