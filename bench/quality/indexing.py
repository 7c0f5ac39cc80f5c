"""Each corpus ingested into a fresh embedded index by the real Syncer (vectors cached)."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from bench.quality.cache import CachedEmbedder
from bench.quality.corpora import CACHE, Corpus, build
from ingest.chunk import Chunker
from ingest.index import Index, open_index
from ingest.sources.files import FilesSource
from ingest.sync import Syncer

log = logging.getLogger(__name__)


def load_embedder(model: str | None = None) -> CachedEmbedder:
    from ingest.embed import Embedder, resolve_model

    return CachedEmbedder(Embedder(resolve_model(model)), CACHE / "vectors.sqlite3")


def index_corpus(
    corpus: Corpus, embedder: CachedEmbedder, *, summaries: bool = True, workdir: Path | None = None
) -> Index:
    """A new index of the corpus (rebuilt every run: chunking may have changed).

    `summaries=False` chunks as deskbot 0.1 did (no page summary in the embedding text).
    """
    wiki = build(corpus, quiet=True)
    path = workdir or Path(tempfile.mkdtemp(prefix=f"bench-{corpus.name}-"))
    index = open_index(collection=corpus.name, path=path)
    started, misses = time.monotonic(), embedder.misses
    chunker = Chunker(
        embedder.tokenizer, embedder.max_seq_length, summary_tokens=None if summaries else 0
    )
    report = Syncer(index, embedder, chunker=chunker).run(FilesSource(wiki))
    log.info(
        "%s: %d pages, %d chunks, %d embedded now, %.0f s",
        corpus.name,
        report.pages_seen,
        report.chunks_written,
        embedder.misses - misses,
        time.monotonic() - started,
    )
    return index
