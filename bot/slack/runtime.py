"""The production wiring behind `deskbot serve`: index, model, store, Answerer, /reindex."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.deps import Progress, Reindex
from deskbot.core.config import Settings

PROGRESS_LOG_EVERY = 5.0  # seconds between the sync's progress lines


def build_reindex(settings: Settings, index, embedder) -> Reindex:
    """`reindex(specs, progress) -> SyncReport` over the index the bot already holds.

    The embedded index has one owner, so /reindex runs in the bot's process on the
    same index object that answers questions.
    """
    from bot.wiring import build_source
    from ingest.sync import Syncer, sync_sources

    syncer = Syncer(index, embedder)

    def reindex(specs: Sequence[str], progress: Progress):
        sources = [build_source(spec, settings) for spec in specs]
        return sync_sources(sources, syncer, _progress_factory(progress))

    return reindex


def _progress_factory(emit: Progress) -> Callable:
    from ingest.progress import LogProgress

    return lambda: LogProgress(every=PROGRESS_LOG_EVERY, emit=emit)


def build_bot(settings: Settings, *, client: WebClient) -> App:
    """Open the index and the embedding model once, and hand both halves the same objects."""
    from bot.slack.app import build_app
    from bot.store import Store
    from bot.wiring import build_answerer, build_embedder, build_index, build_retriever

    index = build_index(settings)
    embedder = build_embedder(settings)
    store = Store(settings.db_path)
    retriever = build_retriever(settings, index=index, embedder=embedder)
    return build_app(
        settings,
        answerer=build_answerer(settings, retriever=retriever, store=store, embedder=embedder),
        store=store,
        reindex=build_reindex(settings, index, embedder),
        client=client,
    )
