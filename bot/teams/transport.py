"""The Teams transport as `deskbot serve` runs it: build once, `start()`, `stop(grace)`, `health()`.

It takes what the serving process shares across transports (the Answerer, the
Store, the reindex runner) and owns only Teams' parts: the SDK app, its HTTP
endpoint (POST /api/messages, GET /healthz) on TEAMS_PORT, and its background
turns. Importing this module loads the Teams SDK; import it only when Teams runs.
"""

from __future__ import annotations

from bot.teams.app import TeamsBot, build_app
from bot.teams.connector import ServiceUrlPolicy
from bot.teams.deps import Reindex
from bot.teams.server import TeamsServer
from deskbot.core.config import Settings


class TeamsTransport:
    name = "teams"

    def __init__(
        self,
        settings: Settings,
        *,
        answerer,
        store,
        reindex: Reindex,
        host: str = "0.0.0.0",
        port: int | None = None,
        service_urls: ServiceUrlPolicy | None = None,
        reindex_progress_every: float = 10.0,
    ) -> None:
        """Checks the TEAMS_* settings (ConfigError naming the variable) and wires the bot.

        `service_urls` overrides TEAMS_SERVICE_URL_HOSTS (tests and benchmarks hand
        in a policy that allows their loopback fake; nothing in settings can)."""
        self.bot: TeamsBot = build_app(
            settings,
            answerer=answerer,
            store=store,
            reindex=reindex,
            service_urls=service_urls,
            reindex_progress_every=reindex_progress_every,
        )
        self.server = TeamsServer(
            self.bot, host=host, port=settings.teams_port if port is None else port
        )

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        """Listen (its own event loop, in a thread); returns once the port is bound."""
        self.server.start()

    def stop(self, grace: float = 10.0) -> None:
        """Stop accepting; give answers in flight `grace` seconds; cancel the rest."""
        self.server.stop(grace)

    def health(self) -> dict:
        return self.server.health()
