"""Inbound: the Bearer JWT on every request, checked against Bot Framework's published keys.

Teams signs each activity it sends with a key listed in the Bot Framework JWKS
(found through TEAMS_OPENID_METADATA_URL). A request is accepted only when the
token is RS256, signed by a listed key that is endorsed for `msteams`, issued by
the metadata's issuer, meant for this bot (aud = TEAMS_APP_ID), not expired
(5 minutes of clock leeway), and carries a `serviceurl` claim equal to the
activity's serviceUrl. The SDK's own validator checks less (no endorsement, no
issuer by default, serviceUrl host only), so deskbot checks itself and hands the
SDK the verified claims.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import aiohttp
import jwt
from jwt.algorithms import AllowedPublicKeys

log = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
LEEWAY = 300  # seconds of clock skew tolerated on exp/nbf
KEYS_TTL = 24 * 3600  # keys are re-read at least daily
REFRESH_GAP = 300  # an unknown key id re-reads the keys at most this often
RETRY_GAP = 30  # after a failed read, the keys we have are used this long before trying again
FETCH_TIMEOUT = 10


class TokenRejected(Exception):
    """The request's token is missing or invalid; `reason` is for the log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The OpenID metadata or the signing keys could not be read."""


@dataclass(frozen=True)
class _Key:
    key: AllowedPublicKeys  # the public key PyJWT verifies with
    endorsements: frozenset[str]


def _bearer(header: str | None) -> str:
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        raise TokenRejected("no Bearer token")
    return token


def _same_url(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a.rstrip("/").lower() == b.rstrip("/").lower()


class BotFrameworkAuth:
    """Verifies inbound tokens; the keys are fetched on first use and cached."""

    def __init__(
        self, app_id: str, *, openid_url: str, channel: str = "msteams", clock=time.time
    ) -> None:
        self.app_id, self.openid_url, self.channel, self.clock = app_id, openid_url, channel, clock
        self.issuer = BOT_FRAMEWORK_ISSUER
        self._keys: dict[str, _Key] = {}
        self._fetched = self._failed = -1e12
        self._lock = asyncio.Lock()

    async def verify(self, authorization: str | None, service_url: str | None) -> dict:
        """The token's claims, or TokenRejected / KeysUnavailable."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"malformed token ({type(exc).__name__})") from None
        if header.get("alg") != "RS256":
            raise TokenRejected(f"algorithm {header.get('alg')!r} is not RS256")
        key = await self._key(str(header.get("kid") or ""))
        if self.channel not in key.endorsements:
            raise TokenRejected(f"signing key not endorsed for {self.channel}")
        claims = self._decode(token, key)
        if not _same_url(claims.get("serviceurl"), service_url):
            raise TokenRejected("serviceurl claim does not match the activity's serviceUrl")
        return claims

    def _decode(self, token: str, key: _Key) -> dict:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"{type(exc).__name__}: {exc}") from None

    async def _key(self, kid: str) -> _Key:
        if self._stale(kid):
            async with self._lock:
                if self._stale(kid):
                    await self._refresh_or_keep()
        if not self._keys:
            raise KeysUnavailable("no signing keys yet")
        if kid not in self._keys:
            raise TokenRejected(f"unknown signing key {kid!r}")
        return self._keys[kid]

    def _stale(self, kid: str) -> bool:
        """Time to read the keys: daily, or for an unknown key id (not after a recent failure)."""
        now = self.clock()
        if now - self._failed < RETRY_GAP:
            return False
        age = now - self._fetched
        return age > KEYS_TTL or (kid not in self._keys and age > REFRESH_GAP)

    async def _refresh_or_keep(self) -> None:
        """Read the keys; when that fails, keep the ones we have (and wait before trying again)."""
        try:
            await self._refresh()
        except KeysUnavailable:
            self._failed = self.clock()
            if not self._keys:
                raise

    async def _refresh(self) -> None:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                metadata = await _get_json(session, self.openid_url)
                self.issuer = str(metadata.get("issuer") or BOT_FRAMEWORK_ISSUER)
                keys = await _get_json(session, str(metadata["jwks_uri"]))
        except (TimeoutError, aiohttp.ClientError, KeyError, ValueError) as exc:
            log.error("cannot read the Bot Framework signing keys: %s", type(exc).__name__)
            raise KeysUnavailable(str(exc)) from None
        self._keys = _parse_keys(keys)
        self._fetched = self.clock()
        log.info("read %d Bot Framework signing keys", len(self._keys))


async def _get_json(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as response:
        response.raise_for_status()
        data = await response.json(content_type=None)
    if not isinstance(data, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return data


def _parse_keys(jwks: dict) -> dict[str, _Key]:
    keys = {}
    for entry in jwks.get("keys") or []:
        try:
            parsed = jwt.PyJWK.from_dict(entry)
        except (jwt.PyJWTError, ValueError, KeyError, TypeError):
            continue  # a key type we cannot use (e.g. no RSA)
        if entry.get("kid"):
            endorsements = frozenset(str(e) for e in entry.get("endorsements") or [])
            keys[str(entry["kid"])] = _Key(parsed.key, endorsements)
    return keys
