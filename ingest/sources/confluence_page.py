"""One Confluence page by its URL: what `/reindex https://…/pages/123/Title` syncs.

It yields the page (or nothing, when the page now carries an excluded label, so the
sync removes it) and never prunes other pages.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingest.document import Document
from ingest.sources.confluence import ConfluenceSource, parse_page_url


class ConfluencePageSource:
    prune = False  # one page says nothing about the rest of its space

    def __init__(self, url: str, confluence: ConfluenceSource) -> None:
        self.spec = url
        self.page_id = parse_page_url(url)  # SourceError for a URL that names no page
        self.confluence = confluence
        self.errors: list[str] = []
        self.failed_ids: set[str] = set()
        self.excluded: list[tuple[str, str]] = []  # (source, doc_id) to remove
        self.sources: list[str] = []  # the page's space, once read

    def iter_documents(self) -> Iterator[Document]:
        document = self.confluence.page(self.page_id)
        self.sources = [document.source]
        if self.confluence.is_excluded(document):
            self.excluded.append((document.source, document.doc_id))
            return
        yield document
