"""Builds the runtime objects from Settings: the only place that knows how they fit."""

from __future__ import annotations

from bot.config import Settings
from bot.retrieve import Retriever
from ingest.embed import Embedder
from ingest.index import Index, open_index


def build_index(settings: Settings) -> Index:
    """The embedded Edge index under QDRANT_PATH, or a server at QDRANT_URL."""
    return open_index(
        collection=settings.collection,
        path=settings.qdrant_path,
        url=settings.qdrant_url,
        api_key=settings.qdrant_api_key,
    )


def build_embedder(settings: Settings) -> Embedder:
    return Embedder.from_settings(settings.embedding_model, settings.embedding_batch_size)


def build_retriever(
    settings: Settings, *, index: Index | None = None, embedder: Embedder | None = None
) -> Retriever:
    """Open the index for searching; a model mismatch is an error, not silent garbage."""
    index = index or build_index(settings)
    embedder = embedder or build_embedder(settings)
    index.check(embedder.name, embedder.dimension)
    return Retriever(index, embedder, top_k=settings.top_k, threshold=settings.score_threshold)
