"""Fakes of Microsoft's identity endpoints, on real local HTTP servers.

`FakeBotFrameworkLogin` plays login.botframework.com: the OpenID metadata and the
JWKS, with its own RSA key whose public half it publishes (endorsed for
`msteams`). `token(...)` signs an inbound token shaped like Teams' (iss, aud,
serviceurl, nbf, exp; no ver/appid), with knobs to make it wrong in each way;
`rotate()` publishes a new key; `down = True` makes the endpoints answer 503.

`FakeEntra` plays login.microsoftonline.com's token endpoint for the
client-credentials grant; it counts requests (caching) and refuses a bad secret
with 401 `invalid_client`, as Entra does.
"""

from __future__ import annotations

import itertools
import time
from functools import cache

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.http import FakeService, Reply, Request

ISSUER = "https://api.botframework.com"


@cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One 2048-bit key per name per test session (generating costs ~0.1 s)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(name: str, kid: str, endorsements: list[str]) -> dict:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key(name).public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "endorsements": endorsements}


class FakeBotFrameworkLogin(FakeService):
    def __init__(self, endorsements: tuple[str, ...] = ("msteams", "webchat")) -> None:
        super().__init__()
        self.published = [("signing", "key-1", list(endorsements))]  # (key name, kid, endorsements)
        self.down = False  # knob: the metadata and keys answer 503
        self.route("GET", r"/v1/\.well-known/openidconfiguration", self._metadata)
        self.route("GET", r"/v1/\.well-known/keys", self._keys)

    @property
    def metadata_url(self) -> str:
        return self.url + "/v1/.well-known/openidconfiguration"

    def _metadata(self, request: Request) -> Reply:
        if self.down:
            return Reply(503, {"error": "temporarily unavailable"})
        return Reply(
            200,
            {
                "issuer": ISSUER,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": self.url + "/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            },
        )

    def _keys(self, request: Request) -> Reply:
        if self.down:
            return Reply(503, {"error": "temporarily unavailable"})
        return Reply(200, {"keys": [public_jwk(n, k, e) for n, k, e in self.published]})

    def rotate(self) -> str:
        """Publish a new key (the old one stays listed, as Microsoft does); returns its kid."""
        kid = f"key-{len(self.published) + 1}"
        self.published.append((f"rotated-{kid}", kid, ["msteams"]))
        return kid

    def token(
        self,
        app_id: str,
        service_url: str,
        *,
        key: str = "signing",
        kid: str = "key-1",
        algorithm: str = "RS256",
        lifetime: float = 3600,
        **claims,
    ) -> str:
        """A signed inbound token; override any claim (iss, aud, exp, serviceurl …)."""
        now = int(time.time())
        payload = {
            "serviceurl": service_url,
            "nbf": now - 5,
            "exp": now + int(lifetime),
            "iss": ISSUER,
            "aud": app_id,
            **claims,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        if algorithm == "HS256":  # the classic confusion attack: the public key as HMAC secret
            return jwt.encode(payload, "not-an-rsa-key-but-a-shared-secret", "HS256", {"kid": kid})
        return jwt.encode(payload, rsa_key(key), algorithm, headers={"kid": kid})


class FakeEntra(FakeService):
    def __init__(self, client_id: str, secret: str, *, lifetime: int = 3599) -> None:
        super().__init__()
        self.client_id, self.secret, self.lifetime = client_id, secret, lifetime
        self._numbers = itertools.count(1)
        self.route("POST", r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token", self._token)

    def token_requests(self) -> list[Request]:
        return self.calls(r"/oauth2/v2\.0/token", "POST")

    def _token(self, request: Request) -> Reply:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.secret:
            return Reply(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        return Reply(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.lifetime,
                "ext_expires_in": self.lifetime,
                "access_token": f"outgoing-token-{next(self._numbers)}",
            },
        )
