"""build_app: the Teams bot, wired (Microsoft 365 Agents SDK). No behaviour lives here.

One `AgentApplication` routes activities to deskbot's handlers; one
`CloudAdapter` runs turns and sends replies through `ConnectorFactory` (allowed
serviceUrls only, deskbot's cached Entra tokens, retries). The SDK's default
turn-error handler sends the exception text to the user; it is replaced by a
logged apology.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass

from microsoft_agents.activity import ActivityTypes
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    TurnState,
)
from microsoft_agents.hosting.core.authorization import ConnectionManager

from bot.conversation.apology import apology
from bot.serve.jobs import Jobs
from bot.serve.reindex import Reindex, ReindexRunner
from bot.serve.runtime import ANSWER_WORKERS
from bot.teams import events
from bot.teams.auth import BotFrameworkAuth
from bot.teams.checks import check_settings
from bot.teams.connector import ConnectorFactory, ServiceUrlPolicy
from bot.teams.deps import TeamsDeps
from bot.teams.tokens import ClientSecretTokens, tokens_for
from bot.teams.turns import TurnRunner
from deskbot.core.config import Settings

log = logging.getLogger(__name__)


@dataclass
class TeamsBot:
    """Everything the HTTP server needs, and what health and shutdown look at."""

    agent: AgentApplication
    adapter: CloudAdapter
    auth: BotFrameworkAuth
    policy: ServiceUrlPolicy
    tokens: ClientSecretTokens
    deps: TeamsDeps
    connectors: ConnectorFactory
    turns: TurnRunner  # the loop every turn and outgoing call runs on (started by the server)
    owns_jobs: bool  # the answer pool is ours (standalone), not the serving process's


def build_app(
    settings: Settings,
    *,
    answerer,
    store,
    reindex: Reindex | ReindexRunner,
    jobs: Executor | None = None,
    service_urls: ServiceUrlPolicy | None = None,
    reindex_progress_every: float = 10.0,
) -> TeamsBot:
    """The Teams bot over the shared Answerer, Store, answer pool and reindex runner.

    `deskbot serve` hands in the process's `jobs` and ReindexRunner, so every
    transport and the control socket use the same ones. `service_urls` replaces the
    policy built from TEAMS_SERVICE_URL_HOSTS (tests pass one that allows their
    loopback fake)."""
    check_settings(settings)
    tokens = tokens_for(settings)
    policy = service_urls or ServiceUrlPolicy(settings.teams_service_url_hosts)
    connectors = ConnectorFactory(tokens, policy)
    adapter = CloudAdapter(channel_service_client_factory=connectors)
    connections = ConnectionManager(
        lambda _config: tokens,
        connections_configurations={"SERVICE_CONNECTION": tokens.configuration},
    )
    agent = AgentApplication[TurnState](
        storage=MemoryStorage(),
        connection_manager=connections,
        start_typing_timer=False,  # deskbot shows its own first sign, in the background turn
        remove_recipient_mention=True,
    )
    deps = TeamsDeps(
        settings=settings,
        answerer=answerer,
        store=store,
        reindexer=ReindexRunner.of(reindex, settings),
        jobs=jobs or Jobs(ANSWER_WORKERS),
        reindex_progress_every=reindex_progress_every,
        adapter=adapter,
    )
    adapter.on_turn_error = turn_error_handler(settings)
    events.register(agent, deps)
    auth = BotFrameworkAuth(
        settings.teams_app_id or "", openid_url=settings.teams_openid_metadata_url
    )
    turns = TurnRunner()
    return TeamsBot(agent, adapter, auth, policy, tokens, deps, connectors, turns, jobs is None)


def turn_error_handler(settings: Settings):
    """Log the failure with its traceback; tell the person a short apology, never the error."""

    async def on_turn_error(context, error: Exception) -> None:
        activity = context.activity
        log.error(
            "Teams turn failed on a %s activity (%s)",
            activity.type,
            activity.id,
            exc_info=(type(error), error, error.__traceback__),
        )
        if activity.type not in (ActivityTypes.message, ActivityTypes.invoke):
            return
        try:
            await context.send_activity(apology(settings.escalation_text))
        except Exception:
            log.exception("could not post the apology")

    return on_turn_error
