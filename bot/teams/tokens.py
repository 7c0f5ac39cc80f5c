"""Outbound: the bot's own access token for the Bot Connector, from Microsoft Entra.

A client-credentials grant (TEAMS_APP_ID + TEAMS_APP_PASSWORD) at
`{TEAMS_LOGIN_URL}/{TEAMS_TENANT_ID}/oauth2/v2.0/token`, cached; concurrent turns
share one request. The SDK asks for a token while it acknowledges an activity,
so five minutes before expiry a fresh one is fetched in the background while the
cached one is still handed out: only the very first request waits. It implements the
SDK's `AccessTokenProviderBase`, so the SDK's connector clients use it as is.
(MSAL is not used: it accepts only https authorities and first asks
login.microsoftonline.com for instance discovery, which a test cannot fake.)
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import aiohttp
from microsoft_agents.hosting.core import AccessTokenProviderBase, AgentAuthConfiguration

from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import TeamsCredentialsRejected, TeamsError

log = logging.getLogger(__name__)

LEGACY_TENANT = "botframework.com"  # multi-tenant bots registered before 2025
EARLY = 300  # seconds before expiry a new token is fetched in the background
LAST_USE = 60  # seconds before expiry a token is no longer handed out
TIMEOUT = 15
CONNECTOR_AUDIENCE = "https://api.botframework.com"
CONNECTOR_SCOPE = CONNECTOR_AUDIENCE + "/.default"  # what the SDK asks for on Teams' tokens


@dataclass
class _Cached:
    token: str
    refresh_at: float  # fetch a new one in the background from here on
    until: float  # no longer handed out from here on


def tokens_for(settings: Settings) -> ClientSecretTokens:
    """The bot's token source from TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID."""
    config = AgentAuthConfiguration(
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=settings.teams_app_password,
    )
    return ClientSecretTokens(config, login_url=settings.teams_login_url)


class ClientSecretTokens(AccessTokenProviderBase):
    """Tokens for one app registration, per scope, cached."""

    def __init__(
        self, configuration: AgentAuthConfiguration, *, login_url: str, clock=time.monotonic
    ) -> None:
        self._configuration = configuration
        tenant = configuration.TENANT_ID or LEGACY_TENANT
        self.url = f"{login_url.rstrip('/')}/{tenant}/oauth2/v2.0/token"
        self.clock = clock
        self._cache: dict[str, _Cached] = {}
        self._lock = asyncio.Lock()
        self._refreshing: dict[str, asyncio.Task] = {}

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        scope = " ".join(scopes) if scopes else resource_url.rstrip("/") + "/.default"
        cached = self._cache.get(scope)
        now = self.clock()
        if cached and now < cached.until and not force_refresh:
            if now >= cached.refresh_at and scope not in self._refreshing:
                self._refreshing[scope] = asyncio.create_task(self._refresh(scope))
            return cached.token
        async with self._lock:
            cached = self._cache.get(scope)
            if not cached or cached.until <= self.clock() or force_refresh:
                cached = self._cache[scope] = await self._request(scope)
        return cached.token

    async def _refresh(self, scope: str) -> None:
        try:
            async with self._lock:
                self._cache[scope] = await self._request(scope)
        except TeamsError as exc:  # the cached token still works for a while; retried next call
            log.error("%s", exc)
        finally:
            self._refreshing.pop(scope, None)

    async def _request(self, scope: str) -> _Cached:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._configuration.CLIENT_ID or "",
            "client_secret": self._configuration.CLIENT_SECRET or "",
            "scope": scope,
        }
        try:
            timeout = aiohttp.ClientTimeout(total=TIMEOUT)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self.url, data=form) as response,
            ):
                body = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            error = type(exc).__name__
            raise TeamsError(
                messages.TEAMS_LOGIN_UNREACHABLE.format(url=self.url, error=error)
            ) from None
        if status != 200 or not isinstance(body, dict) or not body.get("access_token"):
            error = str(body.get("error", f"HTTP {status}") if isinstance(body, dict) else status)
            text = messages.TEAMS_TOKEN_REJECTED.format(url=self.url, error=error)
            # 400/401 name a setting to fix; anything else (5xx, garbage) may pass by itself
            raise (TeamsCredentialsRejected if status in (400, 401) else TeamsError)(text)
        lifetime = float(body.get("expires_in") or 3600)
        log.debug("new Bot Connector token, valid %.0f s", lifetime)
        now = self.clock()
        return _Cached(
            str(body["access_token"]),
            refresh_at=now + max(0.0, lifetime - EARLY),
            until=now + max(0.0, lifetime - LAST_USE),
        )

    def get_token_credential(self):
        raise NotImplementedError("deskbot uses client-secret tokens only")

    # deskbot signs no user in and runs no agentic identities: the SDK never asks for these
    # when no OAuth or agentic auth handler is configured (build_app configures none).
    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise NotImplementedError("deskbot uses client-secret tokens only (no on-behalf-of)")

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str | None:
        raise NotImplementedError("deskbot uses client-secret tokens only (no agentic apps)")

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        raise NotImplementedError("deskbot uses client-secret tokens only (no agentic apps)")

    async def get_agentic_user_token(
        self, tenant_id: str, agent_app_instance_id: str, agentic_user_id: str, scopes: list[str]
    ) -> str | None:
        raise NotImplementedError("deskbot uses client-secret tokens only (no agentic apps)")
