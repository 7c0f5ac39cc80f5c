"""The Teams transport's HTTP side: `POST /api/messages`, `GET /healthz`, start/stop.

Every request to /api/messages passes the gate (`admit`) first: the Bearer token is
verified (bot/teams/auth.py), the serviceUrl must be an allowed host, and the
activity's tenant must be allowed; anything else is answered 401/403 and goes
no further (no turn, no token, no outgoing call). Then bot/teams/intake.py
acknowledges (202) and runs the SDK's turn after the response.

`TeamsServer` runs its own asyncio loop in a thread, so a synchronous serving
process starts it with `start()` and ends it with `stop(grace)`; `start_async`
and `stop_async` serve a process that runs a loop already.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from aiohttp import web
from microsoft_agents.hosting.core import ClaimsIdentity

from bot.conversation.access import listed
from bot.teams.activities import tenant_of
from bot.teams.app import TeamsBot
from bot.teams.auth import KeysUnavailable, TokenRejected
from bot.teams.intake import take
from bot.teams.tokens import CONNECTOR_AUDIENCE, CONNECTOR_SCOPE
from bot.teams.turns import TurnRunner
from deskbot.core import messages
from deskbot.core.errors import TeamsCredentialsRejected, TeamsError

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024


Report = Callable[[], tuple[bool, dict]]  # (all ok, body): the serving process's /healthz


def build_web_app(bot: TeamsBot, report: Report | None = None) -> web.Application:
    """The endpoint; /healthz answers `report()` (200 or 503) when given, else Teams' own."""
    app = web.Application(client_max_size=MAX_BODY)

    async def on_messages(request: web.Request) -> web.StreamResponse:
        admitted = await admit(request, bot)
        if isinstance(admitted, web.Response):
            return admitted
        body, identity = admitted
        try:
            return await take(body, bot, identity)
        except TeamsError as exc:  # no token, or the serviceUrl refused: nothing can be sent
            log.error("Teams activity not processed: %s", exc)
            return web.Response(status=503)

    async def on_health(request: web.Request) -> web.StreamResponse:
        if report is None:
            return web.json_response(health(bot))
        ok, body = await asyncio.to_thread(report)
        return web.json_response(body, status=200 if ok else 503)

    app.router.add_post(MESSAGES_PATH, on_messages)
    app.router.add_get(HEALTH_PATH, on_health)
    return app


def health(bot: TeamsBot) -> dict:
    return {
        "ok": True,
        "status": messages.TEAMS_HEALTHY,
        "transport": "teams",
        "background_turns": bot.turns.in_flight(),
    }


async def admit(request: web.Request, bot: TeamsBot) -> tuple[dict, ClaimsIdentity] | web.Response:
    """The gate: (the activity, who sent it), or the refusal to answer (400/401/403/503).

    Token, serviceUrl and tenant are checked before the SDK sees the activity."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return web.Response(status=400, text="expected a JSON activity")
    service_url = body.get("serviceUrl")
    try:
        claims = await bot.auth.verify(request.headers.get("Authorization"), service_url)
    except TokenRejected as exc:
        log.warning("Teams request refused (401): %s", exc.reason)
        return web.Response(status=401)
    except KeysUnavailable:
        return web.Response(status=503)
    if not bot.policy.allowed(service_url):
        log.warning("Teams request refused (403): serviceUrl %s not allowed", service_url)
        return web.Response(status=403)
    tenants = bot.deps.settings.teams_allowed_tenant_ids
    tenant = tenant_of(body)
    if not tenants or not listed(tenants, tenant):
        log.warning("Teams request refused (403): tenant %r not allowed", tenant)
        return web.Response(status=403)
    return body, ClaimsIdentity(claims, authentication_type="Bearer")


class TeamsServer:
    """The Teams endpoint on host:port (port 0 picks a free one; see `.port`)."""

    def __init__(
        self,
        bot: TeamsBot,
        *,
        host: str = "0.0.0.0",
        port: int = 3978,
        report: Report | None = None,
    ) -> None:
        self.bot, self.host, self.port, self.report = bot, host, port, report
        self.fatal: Exception | None = None  # credentials Entra refused: nothing can be sent
        self.taking = False  # listening and not stopping
        self._runner: web.AppRunner | None = None
        self._http = TurnRunner("deskbot-teams")  # the HTTP loop when start() runs it

    @property
    def url(self) -> str:
        return f"http://{'127.0.0.1' if self.host in ('0.0.0.0', '') else self.host}:{self.port}"

    async def start_async(self) -> None:
        """Start the turn loop, then listen on this loop."""
        self.bot.turns.start()
        self._runner = web.AppRunner(build_web_app(self.bot, self.report), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=256)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the real one when 0 was asked
        self.taking = True
        log.info("deskbot Teams endpoint on %s%s", self.url, MESSAGES_PATH)
        await self.warm_up()

    async def warm_up(self) -> None:
        """Fetch the outgoing token now, so no acknowledgement waits for Entra; log a refusal."""
        tokens = self.bot.tokens
        try:
            fetch = self.bot.turns.call(
                lambda: tokens.get_access_token(CONNECTOR_AUDIENCE, [CONNECTOR_SCOPE])
            )
            await asyncio.wrap_future(fetch)
        except TeamsCredentialsRejected as exc:
            self.fatal = exc
            log.error("%s", exc)
        except TeamsError as exc:  # Entra unreachable: the first turn will try again
            log.error("%s", exc)

    async def stop_taking_async(self) -> None:
        """Close the port: no new activities (Teams delivers them again later)."""
        self.taking = False
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()

    def stop_taking(self) -> None:
        if self._http.loop is not None:
            with contextlib.suppress(Exception):
                self._http.call(self.stop_taking_async).result(timeout=5)

    async def stop_async(self, grace: float = 10.0) -> None:
        """Stop accepting, give running turns `grace` seconds, cancel the rest."""
        await self.stop_taking_async()
        await asyncio.to_thread(self.bot.turns.stop, grace, self.bot.connectors.close)
        if self._runner is not None:
            await self._runner.cleanup()
        if self.bot.owns_jobs:
            self.bot.deps.jobs.shutdown(wait=False, cancel_futures=True)

    def start(self) -> TeamsServer:
        """Serve on a loop of its own, in a daemon thread; returns once listening."""
        self._http.start()
        try:
            self._http.call(self.start_async).result()
        except BaseException:
            self._http.stop(0)
            raise
        return self

    def stop(self, grace: float = 10.0) -> None:
        if self._http.loop is None:
            return
        with contextlib.suppress(Exception):
            self._http.call(lambda: self.stop_async(grace)).result(timeout=grace + 5)
        self._http.stop(0)
