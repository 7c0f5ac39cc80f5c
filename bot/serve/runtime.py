"""The serving process's shared objects: one index, one embedder, one store, one Answerer.

Every transport (Slack, Teams) and the control socket get the same `Runtime`:
answers run in its one job pool, reindexing goes through its one ReindexRunner, and
the embedded index it opened is the one this process owns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.serve.jobs import Jobs
from bot.serve.reindex import ReindexRunner, build_reindex
from bot.serve.transport import Health
from deskbot.core.config import Settings

if TYPE_CHECKING:  # imported when the runtime opens, not when this module loads
    from bot.answer import Answerer
    from bot.retrieve import Retriever
    from bot.store import Store
    from ingest.embed import Embedder
    from ingest.index import Index

log = logging.getLogger(__name__)

ANSWER_WORKERS = 4  # answers computed at once; more wait in the queue, already acknowledged


@dataclass
class Runtime:
    settings: Settings
    index: Index
    embedder: Embedder
    store: Store
    retriever: Retriever
    answerer: Answerer
    reindexer: ReindexRunner
    jobs: Jobs
    transports: list = field(default_factory=list)  # what serves through it (for `status`)
    closed: bool = field(default=False)

    def health(self) -> Health:
        """The index answers (a count), or why not."""
        if self.closed:
            return Health(False, "index closed")
        try:
            self.index.count()
        except Exception as exc:  # any failure to read the index means unhealthy
            return Health(False, f"index unavailable ({type(exc).__name__})")
        return Health(True, "index open")

    def transport_health(self) -> dict[str, dict]:
        """{name: {"ok", "reason"}} of every transport serving through this runtime."""
        report = {}
        for transport in self.transports:
            health = transport.health()
            report[transport.name] = {"ok": health.ok, "reason": health.reason}
        return report

    def close(self) -> None:
        """Close the store and the index (only once nothing uses them any more)."""
        if self.closed:
            return
        self.closed = True
        self.jobs.shutdown(wait=False, cancel_futures=True)
        for resource in (self.store, self.index):
            try:
                resource.close()
            except Exception:  # closing is best effort on the way out
                log.exception("closing %s failed", type(resource).__name__)


def open_runtime(settings: Settings, *, llm_client=None) -> Runtime:
    """Open the index and the embedding model once and build everything on them."""
    from bot.store import Store
    from bot.wiring import build_answerer, build_embedder, build_index, build_retriever

    index = build_index(settings)
    try:
        embedder = build_embedder(settings)
        store = Store(settings.db_path)
        retriever = build_retriever(settings, index=index, embedder=embedder)
        answerer = build_answerer(
            settings, retriever=retriever, store=store, embedder=embedder, llm_client=llm_client
        )
    except BaseException:
        index.close()
        raise
    return Runtime(
        settings=settings,
        index=index,
        embedder=embedder,
        store=store,
        retriever=retriever,
        answerer=answerer,
        reindexer=ReindexRunner(
            build_reindex(settings, index, embedder), secrets=settings.secrets()
        ),
        jobs=Jobs(ANSWER_WORKERS),
    )
