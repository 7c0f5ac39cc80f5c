"""Teams as a transport of `deskbot serve` (bot/serve/transport.py): start, stop, health, failure.

It takes what the serving process shares across transports (the Answerer, the
Store, the answer pool, the ReindexRunner) and owns only Teams' parts: the SDK
app, its HTTP endpoint (POST /api/messages, GET /healthz) on TEAMS_PORT, and the
loop its turns run on. Importing this module loads the Teams SDK; import it only
when Teams runs.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from bot.serve.reindex import Reindex, ReindexRunner
from bot.serve.transport import Health
from bot.teams.app import TeamsBot, build_app
from bot.teams.connector import ServiceUrlPolicy
from bot.teams.server import Report, TeamsServer
from deskbot.core.config import Settings

log = logging.getLogger(__name__)


class TeamsTransport:
    name = "teams"

    def __init__(
        self,
        settings: Settings,
        *,
        answerer,
        store,
        reindex: Reindex | ReindexRunner,
        jobs: Executor | None = None,
        host: str = "0.0.0.0",
        port: int | None = None,
        report: Report | None = None,
        service_urls: ServiceUrlPolicy | None = None,
        reindex_progress_every: float = 10.0,
    ) -> None:
        """Checks the TEAMS_* settings (ConfigError naming the variable) and wires the bot.

        `report` is the serving process's /healthz (every transport and the index);
        without it /healthz reports Teams alone. `service_urls` overrides
        TEAMS_SERVICE_URL_HOSTS (tests and benchmarks hand in a policy that allows
        their loopback fake; nothing in settings can)."""
        self.bot: TeamsBot = build_app(
            settings,
            answerer=answerer,
            store=store,
            reindex=reindex,
            jobs=jobs,
            service_urls=service_urls,
            reindex_progress_every=reindex_progress_every,
        )
        port = settings.teams_port if port is None else port
        self.server = TeamsServer(self.bot, host=host, port=port, report=report)

    @classmethod
    def from_runtime(
        cls, settings: Settings, runtime, *, host: str = "0.0.0.0", port: int | None = None,
        report: Report | None = None,
    ) -> TeamsTransport:  # fmt: skip
        """Around the serving process's runtime (bot/serve/runtime.py)."""
        return cls(
            settings,
            answerer=runtime.answerer,
            store=runtime.store,
            reindex=runtime.reindexer,
            jobs=runtime.jobs,
            host=host,
            port=port,
            report=report,
        )

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        """Listen (turns on a loop of their own, in threads); returns once the port is bound."""
        self.server.start()

    def stop(self, timeout: float) -> None:
        """Stop taking activities: the port closes, so Teams delivers new ones again later.

        Turns already accepted go on; `drain` waits for them to be delivered."""
        self.server.stop_taking()

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` s for the accepted turns (their answers, sent on the turn loop
        after their job in the shared pool finished), then close; returns how many were cut."""
        left = self.bot.turns.drain(timeout)
        if left:
            log.warning("%d Teams turn(s) not delivered within %.0f s", left, timeout)
        self.close(0)
        return left

    def close(self, grace: float = 10.0) -> None:
        """Stop everything: wait up to `grace` s for turns, cancel the rest, close the loops."""
        self.server.stop(grace)

    def health(self) -> Health:
        if self.server.fatal is not None:
            return Health(False, "Microsoft Entra refused the bot's credentials")
        if not self.server.taking:
            return Health(False, "not listening (stopped or not started)")
        turns = self.bot.turns.in_flight()
        return Health(True, f"listening on port {self.server.port}, {turns} turn(s) running")

    def failure(self) -> Exception | None:
        """Credentials Entra refused at start (TEAMS_APP_ID/PASSWORD/TENANT_ID): end the process."""
        return self.server.fatal
