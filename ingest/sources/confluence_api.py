"""A small Confluence REST API v1 client: base URL, credentials, JSON GETs, pagination.

Used by ingest/sources/confluence.py. Requests go only to the configured host; the
Authorization header lives here and never reaches a message or a log line.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import httpx

from deskbot.core import messages
from deskbot.core.errors import AuthError, ConfigError, SourceError
from ingest.sources.deadline import DEFAULT_SECONDS, SourceDeadline
from ingest.sources.http_retry import get_with_retries

log = logging.getLogger(__name__)

SERVICE = "Confluence"


class NotFound(SourceError):
    """HTTP 404 from Confluence (internal: callers turn it into a precise message)."""


class ConfluenceAPI:
    """GET JSON from Confluence with retries; 401/403 -> AuthError, 404 -> NotFound."""

    def __init__(
        self,
        base_url: str | None,
        *,
        email: str | None = None,
        api_token: str | None = None,
        pat: str | None = None,
        http_client: httpx.Client | None = None,
        max_retries: int = 5,
        backoff: float = 1.0,
        sleep=time.sleep,
        deadline_seconds: float | None = DEFAULT_SECONDS,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.deadline = SourceDeadline(deadline_seconds, service=SERVICE)
        self._headers, self.credential_variables = _auth_headers(
            email, api_token, pat, self.base_url
        )
        self._client = http_client
        self._own_client = http_client is None
        self.max_retries, self.backoff, self.sleep = max_retries, backoff, sleep

    def close(self) -> None:
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None

    def paginate(self, path: str, params: dict) -> Iterator[dict]:
        url: str | None = f"{self.base_url}{path}?{urlencode(params)}"
        visited: set[str] = set()
        while url:
            if url in visited:  # a server that links a page to itself would loop forever
                raise SourceError(
                    messages.CONFLUENCE_PAGINATION_LOOP.format(path=urlsplit(url).path)
                )
            visited.add(url)
            data = self.get(url)
            yield from data.get("results") or []
            link = (data.get("_links") or {}).get("next")
            url = self._resolve(link) if link else None

    def _resolve(self, link: str) -> str:
        """A `_links.next` on our configured host (credentials never go elsewhere)."""
        parts = urlsplit(self.base_url)
        origin, context = f"{parts.scheme}://{parts.netloc}", parts.path
        if link.startswith(("http://", "https://")):
            target = urlsplit(link)
            return f"{origin}{target.path}" + (f"?{target.query}" if target.query else "")
        if context and link.startswith(context + "/rest/"):
            return origin + link
        return self.base_url + link

    def get(self, path_or_url: str, params: dict | None = None) -> dict:
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        if params:
            url += "?" + urlencode(params)
        response = get_with_retries(
            self._http(),
            url,
            headers=self._headers,
            service=SERVICE,
            max_retries=self.max_retries,
            backoff=self.backoff,
            sleep=self.sleep,
            deadline=self.deadline,
        )
        return self._json(response)

    def _json(self, response: httpx.Response) -> dict:
        status, path = response.status_code, response.url.path
        where = {"base": self.base_url, "path": path, "variables": self.credential_variables}
        if status == 401:
            raise AuthError(messages.CONFLUENCE_UNAUTHORIZED.format(**where))
        if status == 403:
            raise AuthError(messages.CONFLUENCE_FORBIDDEN.format(**where))
        if status == 404:
            raise NotFound(messages.CONFLUENCE_HTTP_ERROR.format(**where, status=status))
        if status >= 400:
            raise SourceError(messages.CONFLUENCE_HTTP_ERROR.format(**where, status=status))
        content_type = response.headers.get("Content-Type", "no content type")
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise SourceError(
                messages.CONFLUENCE_NOT_JSON.format(
                    **where, status=status, content_type=content_type.split(";")[0]
                )
            )
        return data

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=httpx.Timeout(30.0), follow_redirects=True)
        return self._client


def _auth_headers(
    email: str | None, api_token: str | None, pat: str | None, base_url: str
) -> tuple[dict[str, str], str]:
    """The request headers and the names of the settings they came from."""
    cloud = (urlsplit(base_url).hostname or "").endswith(".atlassian.net")
    headers = {"Accept": "application/json"}
    if pat and not (cloud and email and api_token):
        return {**headers, "Authorization": f"Bearer {pat}"}, "CONFLUENCE_PAT"
    if email and api_token:
        pair = base64.b64encode(f"{email}:{api_token}".encode()).decode("ascii")
        return (
            {**headers, "Authorization": f"Basic {pair}"},
            "CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN",
        )
    if email or api_token:
        missing = "CONFLUENCE_API_TOKEN" if email else "CONFLUENCE_EMAIL"
        raise ConfigError(messages.CONFLUENCE_HALF_BASIC.format(missing=missing))
    raise ConfigError(messages.CONFLUENCE_NO_CREDENTIALS)


def normalise_base_url(base_url: str | None) -> str:
    """Strip slashes and a pasted /rest/api; a bare Cloud site gets its /wiki."""
    text = (base_url or "").strip().rstrip("/")
    if not text:
        raise ConfigError(messages.CONFLUENCE_NO_URL)
    if not text.startswith(("http://", "https://")):
        raise ConfigError(messages.CONFLUENCE_URL_NOT_HTTP.format(url=text))
    text = re.sub(r"/rest/api$", "", text)
    parts = urlsplit(text)
    if (parts.hostname or "").endswith(".atlassian.net") and not parts.path:
        text += "/wiki"
    return text
