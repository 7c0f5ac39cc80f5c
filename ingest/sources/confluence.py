"""Confluence Cloud and Data Center/Server as a source: spaces -> pages -> Documents.

Only REST API v1 content endpoints that both products serve are used:
`/rest/api/space`, `/rest/api/space/{key}`, `/rest/api/content?spaceKey=…` and
`/rest/api/content/{id}`, following the API's own `_links.next` until it is absent.

Decisions:
- `source` of every Document is "confluence:" + SPACE KEY (the key as Confluence spells
  it), also when several spaces or all spaces are read in one run. Per-channel filters
  such as "confluence:HR" then work, and sync prunes deleted pages per space.
- `.sources` lists the spaces this run covers. After `iter_documents()` is exhausted it
  holds only the spaces read to the end; a space that failed is left out, so nothing is
  pruned there (during a run: the spaces finished so far). Before any run it is the
  spaces asked for; in all-spaces mode reading it then discovers them (one request).
- An unknown space is checked before anything of it is yielded; the run records it in
  `.errors` and goes on with the other spaces. Only when no space could be read does the
  run raise that SourceError (the CLI then shows it). 401/403 always stop the run.
- A page that vanishes between listing and reading (404) is recorded in `.errors` and
  skipped; a page that could not be read otherwise is also listed in `.failed_ids`
  so the caller keeps what it stored for it.
- Deleting a page shifts Confluence's offsets, so a listing can step over a page. When a
  page vanished mid-run, the space is listed again without bodies and missed pages read.
- Time: a run waits on Confluence at most `deadline_seconds` in all (SOURCE_DEADLINE_SECONDS,
  see deadline.py); then it stops with SourceDeadlineError, whatever space it is in.
- Credentials: email + API token (basic auth, Cloud) or a personal access token (Bearer,
  Data Center/Server). With both set, basic auth wins on *.atlassian.net, the PAT elsewhere.
- All-spaces mode reads every *current* space the account can see (archived spaces are
  left out, personal spaces are included).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import time
from collections.abc import Iterator, Sequence
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from deskbot.core import messages
from deskbot.core.errors import AuthError, SourceDeadlineError, SourceError
from ingest.document import Document
from ingest.sources.confluence_api import ConfluenceAPI, NotFound, normalise_base_url
from ingest.sources.deadline import DEFAULT_SECONDS

__all__ = ["ConfluenceSource", "normalise_base_url", "parse_page_url", "tiny_link_id"]

log = logging.getLogger(__name__)

EXPAND = "body.storage,version,ancestors,metadata.labels,space"


class ConfluenceSource:
    """Pages of some (or all) Confluence spaces as Documents in storage format."""

    def __init__(
        self,
        spaces: Sequence[str],
        *,
        base_url: str | None,
        email: str | None = None,
        api_token: str | None = None,
        pat: str | None = None,
        exclude_labels: Sequence[str] = ("archived",),
        http_client: httpx.Client | None = None,
        max_retries: int = 5,
        backoff: float = 1.0,
        sleep=time.sleep,
        page_size: int = 50,
        deadline_seconds: float | None = DEFAULT_SECONDS,
    ) -> None:
        self.spec = "confluence:" + ",".join(spaces)
        self.requested = tuple(s.strip() for s in spaces if s.strip())
        self.api = ConfluenceAPI(
            base_url,
            email=email,
            api_token=api_token,
            pat=pat,
            http_client=http_client,
            max_retries=max_retries,
            backoff=backoff,
            sleep=sleep,
            deadline_seconds=deadline_seconds,
        )
        self.base_url, self.credential_variables = self.api.base_url, self.api.credential_variables
        self.exclude_labels = frozenset(label.lower() for label in exclude_labels)
        self.page_size = page_size
        self.errors: list[str] = []
        self.failed_ids: list[str] = []
        self.skipped_by_label = 0
        self._gone = 0  # pages that vanished (404) between listing and reading
        self._covered: list[str] | None = None

    # --- public ---------------------------------------------------------------------
    @property
    def sources(self) -> list[str]:
        """Per-space source strings this run covers (see the module docstring)."""
        if self._covered is None:
            keys = list(self.requested) or self._discover_spaces()
            self._covered = [f"confluence:{key}" for key in keys]
        return list(self._covered)

    def iter_documents(self) -> Iterator[Document]:
        self.api.deadline.restart()  # each run may wait SOURCE_DEADLINE_SECONDS in all
        self.errors, self.failed_ids, self.skipped_by_label, self._gone = [], [], 0, 0
        self._covered = covered = []
        keys = list(self.requested) or self._discover_spaces()
        first_error: SourceError | None = None
        for key in keys:
            try:
                space = self._check_space(key) if self.requested else key
                yield from self._space_documents(space)
            except (AuthError, SourceDeadlineError):
                raise
            except SourceError as exc:
                log.warning("confluence: %s", exc)
                self.errors.append(messages.CONFLUENCE_SPACE_FAILED.format(space=key, reason=exc))
                first_error = first_error or exc
                continue
            covered.append(f"confluence:{space}")
        if not covered and first_error is not None:
            raise first_error

    def page(self, page_id: str) -> Document:
        """Read one page again (reindexing a single page URL)."""
        self.api.deadline.restart()
        try:
            item = self.api.get(f"/rest/api/content/{quote(str(page_id))}", {"expand": EXPAND})
        except NotFound:
            raise SourceError(
                messages.CONFLUENCE_PAGE_NOT_FOUND.format(page_id=page_id, base=self.base_url)
            ) from None
        space = (item.get("space") or {}).get("key", "")
        if _body(item) is None:
            raise SourceError(
                messages.CONFLUENCE_PAGE_FAILED.format(
                    page_id=page_id,
                    title=item.get("title", ""),
                    space=space,
                    reason="no storage-format body",
                )
            )
        return self._document(item, space)

    def is_excluded(self, document: Document) -> bool:
        """True when the page carries one of `exclude_labels`."""
        return any(label.lower() in self.exclude_labels for label in document.labels)

    def close(self) -> None:
        self.api.close()

    def __enter__(self) -> ConfluenceSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- spaces and pages -----------------------------------------------------------
    def _discover_spaces(self) -> list[str]:
        params = {"limit": self.page_size, "status": "current"}
        spaces = self.api.paginate("/rest/api/space", params)
        keys = [key for item in spaces if (key := item.get("key"))]
        if not keys:
            raise SourceError(
                messages.CONFLUENCE_NO_SPACES.format(
                    variables=self.credential_variables, base=self.base_url
                )
            )
        log.info("confluence: %d spaces visible: %s", len(keys), ", ".join(keys))
        return keys

    def _check_space(self, key: str) -> str:
        """The space key as Confluence spells it; SourceError naming the key if unknown."""
        try:
            return self.api.get(f"/rest/api/space/{quote(key)}").get("key") or key
        except NotFound:
            raise SourceError(
                messages.CONFLUENCE_UNKNOWN_SPACE.format(
                    key=key, base=self.base_url, variables=self.credential_variables
                )
            ) from None

    def _space_documents(self, space: str) -> Iterator[Document]:
        params = {"spaceKey": space, "type": "page", "status": "current"}
        listing = {**params, "limit": self.page_size, "expand": EXPAND}
        seen: set[str] = set()
        counts = {"read": 0, "skipped": 0}
        gone_before = self._gone
        yield from self._accept(
            self.api.paginate("/rest/api/content", listing), space, seen, counts
        )
        if self._gone > gone_before:
            # A page deleted mid-run shifts Confluence's offsets, so the listing may have
            # stepped over a page; list the ids again (no bodies) and read what was missed.
            light = {**params, "limit": max(self.page_size, 100), "expand": "version"}
            log.info("confluence: space %s changed while reading; checking for missed pages", space)
            yield from self._accept(
                self.api.paginate("/rest/api/content", light), space, seen, counts
            )
        self.skipped_by_label += counts["skipped"]
        log.info(
            "confluence: space %s: %d pages read, %d skipped by label (%s)",
            space,
            counts["read"],
            counts["skipped"],
            ", ".join(sorted(self.exclude_labels)) or "none excluded",
        )

    def _accept(
        self, items: Iterator[dict], space: str, seen: set[str], counts: dict[str, int]
    ) -> Iterator[Document]:
        """Documents for the listed pages not seen yet, minus excluded labels."""
        for item in items:
            page_id = str(item.get("id", ""))
            if not page_id or page_id in seen:
                continue
            seen.add(page_id)
            if _body(item) is None:
                refetched = self._refetch(item, space)
                if refetched is None:
                    continue
                item = refetched
            document = self._document(item, space)
            if self.is_excluded(document):
                counts["skipped"] += 1
                continue
            counts["read"] += 1
            yield document

    def _refetch(self, item: dict, space: str) -> dict | None:
        """The listing came without a body: read the page alone, or record why not."""
        page_id, title = str(item["id"]), item.get("title", "")
        where = {"page_id": page_id, "title": title, "space": space}
        try:
            full = self.api.get(f"/rest/api/content/{page_id}", {"expand": EXPAND})
        except NotFound:
            self._gone += 1
            self.errors.append(messages.CONFLUENCE_PAGE_GONE.format(**where))
            log.warning("confluence: %s", self.errors[-1])
            return None
        except (AuthError, SourceDeadlineError):
            raise
        except SourceError as exc:
            full, reason = None, str(exc)
        else:
            reason = "no storage-format body"
        if full is None or _body(full) is None:
            self.errors.append(messages.CONFLUENCE_PAGE_FAILED.format(**where, reason=reason))
            self.failed_ids.append(page_id)
            log.warning("confluence: %s", self.errors[-1])
            return None
        return full

    def _document(self, item: dict, space: str) -> Document:
        version = item.get("version") or {}
        webui = (item.get("_links") or {}).get("webui") or (
            f"/pages/viewpage.action?pageId={item['id']}"
        )
        return Document(
            source=f"confluence:{space}",
            doc_id=str(item["id"]),
            title=item.get("title", ""),
            body=_body(item) or "",
            format="confluence",
            url=webui if webui.startswith("http") else self.base_url + webui,
            updated_at=str(version.get("when", "")),
            version=str(version.get("number", "")),
            breadcrumb=tuple(a.get("title", "") for a in item.get("ancestors") or []),
            labels=_labels(item),
            space=space,
        )


def _body(item: dict) -> str | None:
    storage = (item.get("body") or {}).get("storage") or {}
    value = storage.get("value")
    return value if isinstance(value, str) else None


def _labels(item: dict) -> tuple[str, ...]:
    results = ((item.get("metadata") or {}).get("labels") or {}).get("results") or []
    return tuple(label.get("name") or label.get("label", "") for label in results)


_PAGES_ID = re.compile(r"/pages/(?:edit-v2/|edit/)?(\d+)(?:/|$)")
_TINY = re.compile(r"/x/([A-Za-z0-9_-]+)/?$")


def parse_page_url(url: str) -> str:
    """The page id in a Confluence page link (Cloud, Data Center, /x/ short links)."""
    text = url.strip().strip("<>").split("|")[0].strip()  # Slack wraps links as <url|label>
    if text.isdigit():
        return text
    parts = urlsplit(text)
    query = parse_qs(parts.query)
    for name in ("pageId", "homepageId"):
        if (value := (query.get(name) or [""])[0]).isdigit():
            return value
    if match := _PAGES_ID.search(parts.path):
        return match.group(1)
    if match := _TINY.search(parts.path):
        return str(tiny_link_id(match.group(1), url))
    raise SourceError(messages.CONFLUENCE_BAD_PAGE_URL.format(url=url))


def tiny_link_id(code: str, url: str = "") -> int:
    """Decode a /x/CODE short link: URL-safe base64 of the id, little-endian, zeros cut."""
    text = code.replace("-", "/").replace("_", "+")
    text += "A" * (-len(text) % 4)
    try:
        value = int.from_bytes(base64.b64decode(text, validate=True), "little")
    except (binascii.Error, ValueError):
        value = 0
    if not value:
        raise SourceError(messages.CONFLUENCE_BAD_PAGE_URL.format(url=url or code))
    return value
