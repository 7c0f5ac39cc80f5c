"""/healthz: 200 only while every transport can take messages and the index answers.

HTTP mode serves it beside /slack/events; in Socket Mode (no HTTP server of its own)
`HEALTH_PORT` starts this small server for supervisors (systemd, Kubernetes, a PaaS).
The body says why: {"ok": false, "checks": {"slack": "Socket Mode not connected …"}}.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.serve.transport import Health

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
Check = Callable[[], Health]


def health_report(checks: dict[str, Check]) -> tuple[bool, dict]:
    """(all ok, JSON body) from named checks."""
    results = {name: check() for name, check in checks.items()}
    ok = all(result.ok for result in results.values())
    body = {"ok": ok, "checks": {name: r.reason for name, r in results.items()}}
    return ok, body


def status_line(ok: bool) -> str:
    return "200 OK" if ok else "503 Service Unavailable"


class HealthServer:
    """GET /healthz on host:port (port 0 picks a free one; see `.port`)."""

    def __init__(self, checks: dict[str, Check], *, host: str = "0.0.0.0", port: int = 0) -> None:
        self.checks = checks
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # probes every few seconds: keep logs quiet
                pass

            def do_GET(self) -> None:
                owner._answer(self, body=True)

            def do_HEAD(self) -> None:
                owner._answer(self, body=False)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> HealthServer:
        threading.Thread(
            target=self._server.serve_forever, name="deskbot-health", daemon=True
        ).start()
        log.info("health check on http://%s:%d%s", *self._server.server_address[:2], HEALTH_PATH)
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, request: BaseHTTPRequestHandler, *, body: bool) -> None:
        if request.path.split("?", 1)[0] != HEALTH_PATH:
            request.send_error(404)
            return
        ok, report = health_report(self.checks)
        data = json.dumps(report).encode()
        request.send_response(200 if ok else 503)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if body:
            request.wfile.write(data)


def checks_for(runtime_health: Check, transports: Sequence) -> dict[str, Check]:
    return {"index": runtime_health} | {t.name: t.health for t in transports}
