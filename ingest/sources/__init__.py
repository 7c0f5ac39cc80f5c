"""Sources: each one yields Documents through `iter_documents()`; `open_source` picks one.

A spec is `confluence:KEY[,KEY...]` (or `confluence:` for every readable space), an
explicit `files:/path`, or any other text, which is taken as a file-system path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from deskbot.core import messages
from deskbot.core.errors import SourceError
from ingest.sources.deadline import DEFAULT_SECONDS
from ingest.sources.files import FilesSource


@dataclass(frozen=True)
class ConfluenceAccess:
    """Where Confluence is and how to sign in (built from settings by bot/wiring.py)."""

    url: str | None = None
    email: str | None = None
    api_token: str | None = field(default=None, repr=False)
    pat: str | None = field(default=None, repr=False)
    exclude_labels: tuple[str, ...] = ("archived",)
    deadline_seconds: float | None = DEFAULT_SECONDS  # waiting per run, in all (None: no limit)


def open_source(spec: str, confluence: ConfluenceAccess | None = None):
    """The source object for `spec` (ConfluenceSource or FilesSource)."""
    access = confluence or ConfluenceAccess()
    if spec.startswith("confluence:"):
        spaces = [key.strip() for key in spec.removeprefix("confluence:").split(",")]
        return _confluence([key for key in spaces if key], access)
    if spec.startswith(("http://", "https://")):
        from ingest.sources.confluence_page import ConfluencePageSource

        return ConfluencePageSource(spec, _confluence([], access))
    path = Path(spec.removeprefix("files:")).expanduser()
    if not path.exists():
        raise SourceError(messages.SOURCE_SPEC_UNKNOWN.format(spec=spec))
    return FilesSource(path)


def _confluence(spaces: list[str], access: ConfluenceAccess):
    from ingest.sources.confluence import ConfluenceSource

    return ConfluenceSource(
        spaces,
        base_url=access.url,
        email=access.email,
        api_token=access.api_token,
        pat=access.pat,
        exclude_labels=access.exclude_labels,
        deadline_seconds=access.deadline_seconds,
    )


__all__ = ["ConfluenceAccess", "FilesSource", "open_source"]
