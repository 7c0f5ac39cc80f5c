"""Sources: each one yields Documents through `iter_documents()`; `open_source` picks one.

A spec is `confluence:KEY[,KEY...]` (or `confluence:` for every readable space), an
explicit `files:/path`, or any other text, which is taken as a file-system path.
"""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from ingest.errors import SourceError
from ingest.sources.files import FilesSource


def open_source(spec: str, settings: Settings):
    """The source object for `spec` (ConfluenceSource or FilesSource)."""
    if spec.startswith("confluence:"):
        spaces = [key.strip() for key in spec.removeprefix("confluence:").split(",")]
        return _confluence([key for key in spaces if key], settings)
    if spec.startswith(("http://", "https://")):
        from ingest.sources.confluence_page import ConfluencePageSource

        return ConfluencePageSource(spec, _confluence([], settings))
    path = Path(spec.removeprefix("files:")).expanduser()
    if not path.exists():
        raise SourceError(
            f"Source {spec!r} is neither `confluence:SPACEKEY` nor an existing file or folder."
        )
    return FilesSource(path)


def _confluence(spaces: list[str], settings: Settings):
    from ingest.sources.confluence import ConfluenceSource

    return ConfluenceSource(
        spaces,
        base_url=settings.confluence_url,
        email=settings.confluence_email,
        api_token=settings.confluence_api_token,
        pat=settings.confluence_pat,
        exclude_labels=settings.confluence_exclude_labels,
    )


__all__ = ["FilesSource", "open_source"]
