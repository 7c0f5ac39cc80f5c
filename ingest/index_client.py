"""qdrant-client backend: a Qdrant server or cluster at QDRANT_URL.

Tests use qdrant-client's `:memory:` local mode here, since it speaks the same API.
Index metadata lives in a one-point side collection `<collection>__meta`, which
works on every Qdrant version and in local mode alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from uuid import UUID

import numpy as np
from qdrant_client import QdrantClient, models

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
from ingest.sparse import SparseVector

PAGE = 1024
META_POINT = 1


class ClientIndex(Index):
    def __init__(
        self,
        *,
        collection: str,
        url: str | None = None,
        api_key: str | None = None,
        client: QdrantClient | None = None,
    ) -> None:
        self.client = client or QdrantClient(url=url, api_key=api_key, timeout=30)
        self.collection = collection
        self.meta_collection = f"{collection}__meta"
        self.location = f"{url or 'qdrant-client'} (collection {collection})"

    # --- metadata --------------------------------------------------------------------
    def read_meta(self) -> IndexMeta | None:
        if not (
            self.client.collection_exists(self.meta_collection)
            and self.client.collection_exists(self.collection)
        ):
            return None
        records = self.client.retrieve(self.meta_collection, [META_POINT], with_payload=True)
        return IndexMeta.from_json(records[0].payload or {}) if records else None

    def write_meta(self, meta: IndexMeta) -> None:
        if not self.client.collection_exists(self.meta_collection):
            self.client.create_collection(
                self.meta_collection,
                vectors_config=models.VectorParams(size=1, distance=models.Distance.DOT),
            )
        self.client.upsert(
            self.meta_collection,
            [models.PointStruct(id=META_POINT, vector=[1.0], payload=meta.as_json())],
            wait=True,
        )

    def create(self, dimension: int) -> None:
        if self.client.collection_exists(self.collection):
            return
        self.client.create_collection(
            self.collection,
            vectors_config={
                DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)
            },
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        with warnings.catch_warnings():  # local mode says payload indexes do nothing there
            warnings.simplefilter("ignore", UserWarning)
            for name in KEYWORD_INDEXES:
                self.client.create_payload_index(
                    self.collection, name, models.PayloadSchemaType.KEYWORD
                )

    # --- points ----------------------------------------------------------------------
    def upsert(self, points: Sequence[PointData]) -> None:
        if not points:
            return
        self.client.upsert(
            self.collection,
            [
                models.PointStruct(
                    id=p.id,
                    vector={
                        DENSE: p.dense.tolist(),
                        SPARSE: models.SparseVector(
                            indices=p.sparse.indices, values=p.sparse.values
                        ),
                    },
                    payload=p.payload,
                )
                for p in points
            ],
            wait=True,
        )

    def delete(self, ids: Iterable[str]) -> None:
        points: list[int | str | UUID] = list(ids)
        if points and self.client.collection_exists(self.collection):
            self.client.delete(self.collection, models.PointIdsList(points=points), wait=True)

    def scroll(self, sources: Sequence[str], fields: Sequence[str]) -> Iterator[tuple[str, dict]]:
        if not self.client.collection_exists(self.collection):
            return
        offset = None
        while True:
            records, offset = self.client.scroll(
                self.collection,
                scroll_filter=_source_filter(sources),
                limit=PAGE,
                offset=offset,
                with_payload=list(fields),
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
        if not self.client.collection_exists(self.collection):
            return {DENSE: []}
        flt = _source_filter(sources) if sources else None
        fields = list(HIT_FIELDS)
        query = dense.tolist()
        requests = [
            models.QueryRequest(
                query=query, using=DENSE, limit=limit, filter=flt, with_payload=fields
            )
        ]
        if sparse.indices:
            sparse_vec = models.SparseVector(indices=sparse.indices, values=sparse.values)
            requests += [
                models.QueryRequest(
                    query=sparse_vec, using=SPARSE, limit=limit, filter=flt, with_payload=fields
                ),
                models.QueryRequest(  # the same sparse candidates, scored by the dense field
                    prefetch=[
                        models.Prefetch(query=sparse_vec, using=SPARSE, limit=limit, filter=flt)
                    ],
                    query=query,
                    using=DENSE,
                    limit=limit,
                    with_payload=False,
                ),
            ]
        responses = self.client.query_batch_points(self.collection, requests=requests)
        if len(responses) == 1:
            return field_results(responses[0].points, None, {})
        dense_r, sparse_r, rescoring = responses
        cosines = missing_cosines(
            dense,
            sparse_r.points,
            {str(p.id): p.score for p in rescoring.points},
            lambda ids: self.client.retrieve(self.collection, ids, with_vectors=[DENSE]),
        )
        return field_results(dense_r.points, sparse_r.points, cosines)

    def count(self, source: str | None = None) -> int:
        if not self.client.collection_exists(self.collection):
            return 0
        flt = _source_filter([source]) if source else None
        return self.client.count(self.collection, count_filter=flt, exact=True).count

    def source_counts(self) -> dict[str, tuple[int, int]]:
        if not self.client.collection_exists(self.collection):
            return {}
        counts: dict[str, tuple[int, int]] = {}
        for hit in self.client.facet(self.collection, "source", limit=10_000, exact=True).hits:
            pages = self.client.facet(
                self.collection,
                "doc_id",
                facet_filter=_source_filter([str(hit.value)]),
                limit=1_000_000,
                exact=True,
            )
            counts[str(hit.value)] = (len(pages.hits), hit.count)
        return counts

    def drop(self) -> None:
        for name in (self.collection, self.meta_collection):
            if self.client.collection_exists(name):
                self.client.delete_collection(name)

    def close(self) -> None:
        self.client.close()


def _source_filter(sources: Sequence[str]) -> models.Filter:
    return models.Filter(
        must=[models.FieldCondition(key="source", match=models.MatchAny(any=list(sources)))]
    )
