"""Qdrant Edge backend: Qdrant's engine in-process, stored under QDRANT_PATH.

Layout: QDRANT_PATH/<collection>/shard (the Edge shard), meta.json (IndexMeta) and
.lock (held by the one process that owns the index; a second gets IndexLockedError).
qdrant-edge-py is beta: its use stays in this module, at the exact pinned version.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from uuid import UUID

import numpy as np
import qdrant_edge as q

from deskbot.core import messages
from deskbot.core.errors import IndexLockedError
from deskbot.core.memory import give_back_memory
from ingest.index import (
    DENSE,
    HIT_FIELDS,
    KEYWORD_INDEXES,
    SPARSE,
    Index,
    IndexMeta,
    PointData,
    Scored,
    field_results,
    missing_cosines,
)
from ingest.page_cache import read_into_page_cache
from ingest.sparse import SparseVector

PAGE = 1024


class EdgeIndex(Index):
    def __init__(self, *, collection: str, path: Path) -> None:
        self.root = Path(path) / collection
        self.location = str(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire_lock(self.root / ".lock")
        self.shard: q.EdgeShard | None = None
        if (self.root / "shard" / "edge_config.json").exists():
            # Edge's close() dropped these files from the page cache: read them back first,
            # or the first searches wait for the disk (ingest/page_cache.py).
            read_into_page_cache(self.root / "shard" / "segments")
            self.shard = q.EdgeShard.load(str(self.root / "shard"))
            # Edge reads its whole write-ahead log on load and frees what it parsed (~30 MB
            # at 10k chunks), which glibc would otherwise keep for good.
            give_back_memory()

    # --- metadata --------------------------------------------------------------------
    def read_meta(self) -> IndexMeta | None:
        meta_file = self.root / "meta.json"
        if self.shard is None or not meta_file.exists():
            return None
        return IndexMeta.from_json(json.loads(meta_file.read_text()))

    def write_meta(self, meta: IndexMeta) -> None:
        tmp = self.root / "meta.json.tmp"
        tmp.write_text(json.dumps(meta.as_json(), indent=2))
        os.replace(tmp, self.root / "meta.json")

    def create(self, dimension: int) -> None:
        if self.shard is not None:
            return
        # Dense vectors stay in their files (mapped, read where a search looks) rather than
        # copied into memory whole: ~20 MB less resident at 10k chunks, the same scores.
        dense = q.EdgeVectorParams(size=dimension, distance=q.Distance.Cosine, memory=q.Memory.Cold)
        config = q.EdgeConfig(
            vectors={DENSE: dense},
            sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
        )
        self.shard = q.EdgeShard.create(str(self.root / "shard"), config)
        for name in KEYWORD_INDEXES:
            self.shard.update(
                q.UpdateOperation.create_field_index(name, q.PayloadSchemaType.Keyword)
            )

    # --- points ----------------------------------------------------------------------
    def upsert(self, points: Sequence[PointData]) -> None:
        if not points:
            return
        batch = [
            q.Point(
                p.id,
                {
                    DENSE: p.dense.tolist(),
                    SPARSE: q.SparseVector(p.sparse.indices, p.sparse.values),
                },
                p.payload,
            )
            for p in points
        ]
        self._shard().update(q.UpdateOperation.upsert_points(batch))

    def delete(self, ids: Iterable[str]) -> None:
        points: list[int | UUID | str] = list(ids)
        if points and self.shard is not None:
            self.shard.update(q.UpdateOperation.delete_points(points))

    def scroll(self, sources: Sequence[str], fields: Sequence[str]) -> Iterator[tuple[str, dict]]:
        if self.shard is None:
            return
        offset = None
        while True:
            records, offset = self.shard.scroll(
                q.ScrollRequest(
                    offset=offset,
                    limit=PAGE,
                    filter=_source_filter(sources),
                    with_payload=list(fields),
                )
            )
            for record in records:
                yield str(record.id), record.payload or {}
            if offset is None:
                return

    def candidates(
        self,
        dense: np.ndarray,
        sparse: SparseVector,
        *,
        limit: int,
        sources: Sequence[str] | None = None,
    ) -> dict[str, list[Scored]]:
        if self.shard is None:
            return {DENSE: []}
        dense_q = q.Query.Nearest(dense.tolist(), using=DENSE)
        flt = _source_filter(sources) if sources else None
        fields = list(HIT_FIELDS)
        requests = [q.QueryRequest(query=dense_q, limit=limit, filter=flt, with_payload=fields)]
        if sparse.indices:
            sparse_q = q.Query.Nearest(q.SparseVector(sparse.indices, sparse.values), using=SPARSE)
            requests += [
                q.QueryRequest(query=sparse_q, limit=limit, filter=flt, with_payload=fields),
                q.QueryRequest(  # the same sparse candidates, scored by the dense field
                    prefetches=[q.Prefetch(limit=limit, query=sparse_q, filter=flt)],
                    query=dense_q,
                    limit=limit,
                    with_payload=False,
                ),
            ]
        dense_points, *rest = self.shard.query_batch(q.QueryBatchRequest(requests))
        if not rest:
            return field_results(dense_points, None, {})
        sparse_points, rescoring = rest
        cosines = missing_cosines(
            dense,
            sparse_points,
            {str(p.id): p.score for p in rescoring},
            lambda ids: self.shard.retrieve(ids, with_payload=False, with_vector=[DENSE]),
        )
        return field_results(dense_points, sparse_points, cosines)

    def count(self, source: str | None = None) -> int:
        if self.shard is None:
            return 0
        flt = _source_filter([source]) if source else None
        return self.shard.count(q.CountRequest(exact=True, filter=flt))

    def source_counts(self) -> dict[str, tuple[int, int]]:
        if self.shard is None:
            return {}
        counts: dict[str, tuple[int, int]] = {}
        facet = self.shard.facet(q.FacetRequest(key="source", limit=10_000, exact=True))
        for hit in facet.hits:
            pages = self.shard.facet(
                q.FacetRequest(
                    key="doc_id",
                    limit=1_000_000,
                    exact=True,
                    filter=_source_filter([str(hit.value)]),
                )
            )
            counts[str(hit.value)] = (len(pages.hits), hit.count)
        return counts

    def drop(self) -> None:
        if self.shard is not None:
            self.shard.close()
            self.shard = None
        shutil.rmtree(self.root / "shard", ignore_errors=True)
        (self.root / "meta.json").unlink(missing_ok=True)

    def optimize(self) -> None:
        if self.shard is not None:
            self.shard.optimize()

    def flush(self) -> None:
        if self.shard is not None:
            self.shard.flush()

    def close(self) -> None:
        if self.shard is not None:
            self.shard.flush()
            self.shard.close()
            self.shard = None
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def _shard(self) -> q.EdgeShard:
        if self.shard is None:
            raise RuntimeError("index not created: call ensure() first")
        return self.shard


def _source_filter(sources: Sequence[str]) -> q.Filter:
    return q.Filter(must=[q.FieldCondition(key="source", match=q.MatchAny(any=list(sources)))])


def _acquire_lock(path: Path):
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or "unknown"
        handle.close()
        raise IndexLockedError(messages.INDEX_LOCKED.format(path=path.parent, pid=pid)) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
