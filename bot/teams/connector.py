"""Outgoing calls to the Bot Connector: only to allowed serviceUrl hosts, retried when throttled.

Every activity names the `serviceUrl` its replies go to. `ServiceUrlPolicy`
allows https hosts from TEAMS_SERVICE_URL_HOSTS (and their subdomains) only;
the gate refuses other activities before the SDK sees them, and
`ConnectorFactory` refuses again before any client is built, so no call and no
token ever goes elsewhere. Tests hand in a policy that allows their loopback
fake over http; nothing in settings can. The SDK does not retry, so the
connector's sessions retry 429 (honouring Retry-After) and 502/503/504, by the rules of
`deskbot.core.retry`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from aiohttp import ClientRequest, ClientResponse, ClientSession, ClientTimeout, TCPConnector
from microsoft_agents.hosting.core import ChannelServiceClientFactoryBase
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.teams.tokens import ClientSecretTokens
from deskbot.core import messages, retry
from deskbot.core.errors import ServiceUrlRefused

log = logging.getLogger(__name__)

RETRIED = frozenset({429, 502, 503, 504})
RETRIES = 3
MAX_WAIT = 30.0  # seconds: a longer Retry-After is cut to this
CALL_TIMEOUT = 30.0


class ServiceUrlPolicy:
    """Which serviceUrls the bot may call: scheme and host (or a parent domain) listed."""

    def __init__(self, hosts: Iterable[str], *, schemes: Iterable[str] = ("https",)) -> None:
        self.hosts = tuple(h.strip().lower().lstrip("*.") for h in hosts if h.strip())
        self.schemes = tuple(schemes)

    def allowed(self, url: str | None) -> bool:
        try:
            parts = urlsplit(url or "")
            host = (parts.hostname or "").lower()
        except ValueError:
            return False
        if parts.scheme not in self.schemes or not host or parts.username or parts.password:
            return False
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def require(self, url: str | None) -> None:
        if not self.allowed(url):
            raise ServiceUrlRefused(messages.TEAMS_SERVICE_URL_REFUSED.format(url=url))


# Without a Retry-After: 0.5, 1, 2 s, no jitter (three short waits within one turn).
BACKOFF = retry.Backoff(base=0.5, cap=MAX_WAIT, spread=(1.0, 1.0))


def retry_after(response: ClientResponse, attempt: int) -> float:
    """Seconds to wait before retrying: Retry-After when given, else 0.5, 1, 2 s."""
    return BACKOFF.wait(attempt + 1, retry.retry_after(response.headers))


async def retry_throttled(request: ClientRequest, handler) -> ClientResponse:
    """aiohttp client middleware: retry throttled and briefly unavailable calls."""
    for attempt in range(RETRIES + 1):
        response = await handler(request)
        if response.status not in RETRIED or attempt == RETRIES:
            return response
        wait = retry_after(response, attempt)
        log.info("Bot Connector answered %d; retrying in %.1f s", response.status, wait)
        response.release()
        await asyncio.sleep(wait)
    return response


class ConnectorFactory(ChannelServiceClientFactoryBase):
    """The SDK's client factory, with the serviceUrl policy, our tokens and retries.

    The SDK builds a client (an aiohttp session) for every turn; here they all
    share one connection pool, so a turn reuses a kept-alive TLS connection to
    the Bot Connector instead of opening its own."""

    def __init__(self, tokens: ClientSecretTokens, policy: ServiceUrlPolicy) -> None:
        self.tokens, self.policy = tokens, policy
        self._pool: TCPConnector | None = None

    def pool(self) -> TCPConnector:
        if self._pool is None or self._pool.closed:
            self._pool = TCPConnector(limit=100, limit_per_host=50, keepalive_timeout=60)
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def create_connector_client(
        self,
        context,
        claims_identity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> TeamsConnectorClient:
        self.policy.require(service_url)
        token = await self.tokens.get_access_token(
            audience, scopes or claims_identity.get_token_scope()
        )
        endpoint = service_url if service_url.endswith("/") else service_url + "/"
        session = ClientSession(
            base_url=endpoint,
            connector=self.pool(),
            connector_owner=False,  # closing the turn's session keeps the pool
            middlewares=(retry_throttled,),
            timeout=ClientTimeout(total=CALL_TIMEOUT),
        )
        return TeamsConnectorClient(endpoint=endpoint, token=token, session=session)

    async def create_user_token_client(
        self, context, claims_identity, use_anonymous: bool = False
    ) -> UserTokenClient:
        """deskbot signs no user in (no OAuth cards), so this client never calls out."""
        return UserTokenClient(
            AuthenticationConstants.AGENTS_SDK_OAUTH_URL, "", app_id=claims_identity.get_app_id()
        )
