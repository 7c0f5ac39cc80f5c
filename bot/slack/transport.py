"""Slack as a transport of `deskbot serve`: Socket Mode (default) or HTTP mode.

`check_slack` runs before anything heavy is loaded: the token formats, then
`auth.test` with the bot token and (Socket Mode) `apps.connections.open` with the app
token, so a wrong token is reported in a second, not after the model has loaded.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.serve.runtime import Runtime
from bot.serve.transport import Health
from bot.slack.app import build_app
from bot.slack.client import (
    app_web_client,
    build_web_client,
    check_app_token,
    check_connection,
    check_tokens,
)
from bot.slack.server import Health as HealthReport
from bot.slack.server import HttpServer, require_server
from bot.slack.socket_mode import SocketModeRunner
from deskbot.core.config import Settings


def check_slack(settings: Settings, *, http: bool) -> tuple[WebClient, dict]:
    """The bot's WebClient and who it is; a ConfigError naming the token otherwise."""
    check_tokens(settings, http=http)
    if http:
        require_server()
    client = build_web_client(settings)
    identity = check_connection(client)
    if not http:
        check_app_token(app_web_client(settings))
    return client, identity


class SlackSocketMode:
    name = "slack"

    def __init__(self, settings: Settings, runtime: Runtime, client: WebClient) -> None:
        app = _app(settings, runtime, client)
        self.runner = SocketModeRunner(
            app, settings.slack_app_token or "", app_web_client(settings)
        )

    def start(self) -> None:
        self.runner.start()

    def stop(self, timeout: float) -> None:
        self.runner.stop(timeout)

    def drain(self, timeout: float) -> int:
        return 0  # Slack answers are posted by their job in the runtime's pool: nothing waits here

    def health(self) -> Health:
        return self.runner.health()

    def failure(self) -> Exception | None:
        return self.runner.fatal


class SlackHttp:
    name = "slack"

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime,
        client: WebClient,
        *,
        host: str,
        port: int,
        health: HealthReport,
    ) -> None:
        app = _app(settings, runtime, client)
        self.server = HttpServer(
            app,
            signing_secret=settings.slack_signing_secret,
            host=host,
            port=port,
            health=health,
        )
        self.stopping = False

    def start(self) -> None:
        self.server.start()

    def stop(self, timeout: float) -> None:
        self.stopping = True
        self.server.close()

    def drain(self, timeout: float) -> int:
        return 0  # Slack answers are posted by their job in the runtime's pool: nothing waits here

    def health(self) -> Health:
        if self.stopping:
            return Health(False, "shutting down")
        return Health(True, f"HTTP mode listening on port {self.server.port}")

    def failure(self) -> Exception | None:
        return None


def _app(settings: Settings, runtime: Runtime, client: WebClient):
    return build_app(
        settings,
        answerer=runtime.answerer,
        store=runtime.store,
        reindex=runtime.reindexer,
        client=client,
        jobs=runtime.jobs,
    )
