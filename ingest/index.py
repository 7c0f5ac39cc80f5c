"""The index contract: what both halves of deskbot agree on about Qdrant.

One collection holds every chunk. Each point has
- id: uuid5(source, doc_id, chunk_no) (see ingest.document.point_id)
- vectors: "dense" (sentence-transformers, cosine) and "sparse" (BM25 weights, IDF modifier)
- payload: the PAYLOAD_FIELDS below.
The collection's metadata records the embedding model (its name and its backend-independent
identity: the sha256 of its folder's defining files, see ingest/model_folder.py), its
dimension and the BM25 parameters; opening it with another model, or with the same name
but other weights, is a ModelMismatchError. The backend (ONNX Runtime or torch) is not
recorded: both give the same vectors, so switching needs no reindex.

Two backends implement `Index`: Qdrant Edge in-process (the embedded default,
ingest/index_edge.py) and qdrant-client against a server or cluster
(ingest/index_client.py). Nothing else in deskbot talks to Qdrant.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deskbot.core import messages
from deskbot.core.errors import IndexStateError, ModelMismatchError
from ingest.document import Chunk
from ingest.sparse import SparseVector

DENSE = "dense"
SPARSE = "sparse"
# 2: chunks embed their page's summary line (ingest/summary.py); syncs record the language.
SCHEMA_VERSION = 2
PAYLOAD_FIELDS = (
    "source",
    "doc_id",
    "chunk_no",
    "title",
    "section",
    "url",
    "text",
    "doc_hash",
    "doc_chunks",
    "content_hash",
    "updated_at",
    "breadcrumb",
    "labels",
)
# What a search hands back of each point: the page key and what a cited passage shows
# (not the hashes and counts the sync keeps; fewer fields read, fewer dicts built).
HIT_FIELDS = (
    "source",
    "doc_id",
    "chunk_no",
    "title",
    "section",
    "url",
    "text",
    "updated_at",
    "breadcrumb",
)
KEYWORD_INDEXES = ("source", "doc_id")


@dataclass(frozen=True)
class PointData:
    id: str
    dense: np.ndarray
    sparse: SparseVector
    payload: dict


@dataclass(frozen=True)
class Scored:
    id: str
    payload: dict
    cosine: float  # dense cosine similarity to the query, whichever field found it


@dataclass
class IndexMeta:
    model: str
    dimension: int
    bm25: dict
    schema: int = SCHEMA_VERSION
    syncs: dict[str, dict] = field(default_factory=dict)  # source -> last sync summary
    model_sha256: str | None = None  # the model's identity; None: unknown (hub name, old index)

    @property
    def language(self) -> str | None:
        """The wiki's language: the one detected for most pages over the sources."""
        pages: Counter[str] = Counter()
        for summary in self.syncs.values():
            if summary.get("language"):
                pages[summary["language"]] += int(summary.get("pages") or 0) + 1
        return pages.most_common(1)[0][0] if pages else None

    def as_json(self) -> dict:
        return {
            "model": self.model,
            "model_sha256": self.model_sha256,
            "dimension": self.dimension,
            "bm25": self.bm25,
            "schema": self.schema,
            "syncs": self.syncs,
        }

    @classmethod
    def from_json(cls, data: dict) -> IndexMeta:
        return cls(
            model=data["model"],
            dimension=int(data["dimension"]),
            bm25=dict(data.get("bm25") or {}),
            schema=int(data.get("schema", SCHEMA_VERSION)),
            syncs=dict(data.get("syncs") or {}),
            model_sha256=data.get("model_sha256"),
        )


def chunk_payload(chunk: Chunk, doc_chunks: int) -> dict:
    """The payload of one chunk of a page that has `doc_chunks` chunks in all."""
    return {
        "source": chunk.source,
        "doc_id": chunk.doc_id,
        "chunk_no": chunk.chunk_no,
        "title": chunk.title,
        "section": chunk.section,
        "url": chunk.url,
        "text": chunk.text,
        "doc_hash": chunk.doc_hash,
        "doc_chunks": doc_chunks,
        "content_hash": chunk.content_hash,
        "updated_at": chunk.updated_at,
        "breadcrumb": list(chunk.breadcrumb),
        "labels": list(chunk.labels),
    }


@dataclass
class _PageState:
    """What the index holds of one page, gathered chunk by chunk."""

    ids: set[str] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)
    counts: set[int | None] = field(default_factory=set)

    def add(self, point_id: str, payload: dict) -> None:
        self.ids.add(point_id)
        self.hashes.add(payload.get("doc_hash", ""))
        self.counts.add(payload.get("doc_chunks"))  # None: written before doc_chunks existed

    def hash(self) -> str:
        """The page's hash when its chunks are complete and agree, else ""."""
        if len(self.hashes) != 1 or len(self.counts) != 1:
            return ""
        (count,) = self.counts
        return next(iter(self.hashes)) if count in (None, len(self.ids)) else ""


class Index(ABC):
    """A collection of chunks. Backends implement the storage primitives."""

    location: str  # for messages: a path or a URL (never with credentials)

    # --- metadata --------------------------------------------------------------------
    @abstractmethod
    def read_meta(self) -> IndexMeta | None: ...

    @abstractmethod
    def write_meta(self, meta: IndexMeta) -> None: ...

    @abstractmethod
    def create(self, dimension: int) -> None:
        """Create the collection (vectors, payload indexes) if it does not exist."""

    def ensure(
        self, model: str, dimension: int, bm25: dict, *, model_sha256: str | None = None
    ) -> IndexMeta:
        """Open for writing: create when new, refuse another model's collection."""
        meta = self.read_meta()
        if meta is None:
            self.create(dimension)
            meta = IndexMeta(model=model, dimension=dimension, bm25=bm25, model_sha256=model_sha256)
            self.write_meta(meta)
            return meta
        self.check(model, dimension, meta, model_sha256=model_sha256)
        if meta.model_sha256 is None and model_sha256:  # an index from before identities
            meta.model_sha256 = model_sha256
            self.write_meta(meta)
        return meta

    def check(
        self,
        model: str,
        dimension: int,
        meta: IndexMeta | None = None,
        *,
        model_sha256: str | None = None,
    ) -> None:
        """Refuse another model's index: name, dimension, and identity where both know it."""
        meta = meta or self.read_meta()
        if meta is None:
            return
        if meta.schema != SCHEMA_VERSION:
            raise IndexStateError(
                messages.INDEX_OTHER_SCHEMA.format(
                    path=self.location, stored=meta.schema, current=SCHEMA_VERSION
                )
            )
        if meta.model_sha256 and model_sha256 and meta.model_sha256 != model_sha256:
            raise ModelMismatchError(
                messages.MODEL_OTHER_WEIGHTS.format(
                    path=self.location,
                    model=meta.model,
                    stored=meta.model_sha256[:12],
                    current=model_sha256[:12],
                )
            )
        if meta.model != model or meta.dimension != dimension:
            raise ModelMismatchError(
                messages.MODEL_MISMATCH.format(
                    path=self.location,
                    stored=meta.model,
                    stored_dim=meta.dimension,
                    current=model,
                    current_dim=dimension,
                )
            )

    def record_sync(self, source: str, summary: dict) -> None:
        """Store a source's last sync summary; a sync that detected no language keeps the
        language stored for that source."""
        meta = self.read_meta()
        if meta is not None:
            previous = (meta.syncs.get(source) or {}).get("language")
            if previous and not summary.get("language"):
                summary = {**summary, "language": previous}
            meta.syncs[source] = summary
            self.write_meta(meta)

    # --- points ----------------------------------------------------------------------
    @abstractmethod
    def upsert(self, points: Sequence[PointData]) -> None:
        """Write points in one operation (a page's chunks go together)."""

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> None: ...

    @abstractmethod
    def scroll(self, sources: Sequence[str], fields: Sequence[str]) -> Iterator[tuple[str, dict]]:
        """(point id, selected payload fields) for every point of these sources."""

    def doc_state(self, sources: Sequence[str]) -> dict[tuple[str, str], tuple[str, set[str]]]:
        """(source, doc_id) -> (doc_hash, point ids) for every page of these sources.

        The hash is checked across all of a page's chunks: when they disagree, or there are
        not as many as the page's chunk count (a sync that died between writing a page's
        chunks and deleting its stale ones, or in the middle of a write), the hash is ""
        so the next sync writes the page again.
        """
        pages: dict[tuple[str, str], _PageState] = {}
        if not sources:
            return {}
        for point_id, p in self.scroll(sources, ("source", "doc_id", "doc_hash", "doc_chunks")):
            key = (p.get("source", ""), p.get("doc_id", ""))
            pages.setdefault(key, _PageState()).add(point_id, p)
        return {key: (page.hash(), page.ids) for key, page in pages.items()}

    @abstractmethod
    def candidates(
        self,
        dense: np.ndarray,
        sparse: SparseVector,
        *,
        limit: int,
        sources: Sequence[str] | None = None,
    ) -> dict[str, list[Scored]]:
        """Each field's own best `limit` points ("dense", and "sparse" when the query has
        words), for fusion by the caller; every result carries its dense cosine and the
        HIT_FIELDS of its payload. One round trip: the dense scores are the cosines, and
        the sparse candidates' cosines come from the dense field rescoring them in the
        engine (vectors never travel)."""

    @abstractmethod
    def count(self, source: str | None = None) -> int: ...

    @abstractmethod
    def source_counts(self) -> dict[str, tuple[int, int]]:
        """source -> (pages, chunks)."""

    @abstractmethod
    def drop(self) -> None:
        """Remove the collection and its metadata (for --rebuild)."""

    def optimize(self) -> None:  # noqa: B027 - servers optimise by themselves
        """Build search structures after a large write (embedded backend)."""

    def close(self) -> None:  # noqa: B027 - optional for backends
        pass

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _cosines(dense: np.ndarray, points: Sequence) -> dict[str, float]:
    """Point id -> the cosine of the (normalised) query against the point's stored
    (normalised) dense vector; 0 for a point fetched without one."""
    vectors = [p.vector.get(DENSE) if isinstance(p.vector, dict) else p.vector for p in points]
    known = [n for n, v in enumerate(vectors) if v]
    cosines = np.zeros(len(points), dtype=np.float32)
    if known:
        matrix = np.array([vectors[n] for n in known], dtype=np.float32)
        cosines[known] = matrix @ dense.astype(np.float32)
    return {str(p.id): float(c) for p, c in zip(points, cosines, strict=True)}


def missing_cosines(
    dense: np.ndarray, sparse_points: Sequence, cosines: dict[str, float], retrieve
) -> dict[str, float]:
    """`cosines` completed for every sparse point: those the engine's rescoring did not
    return (a tie at its cut) are computed from vectors fetched by `retrieve(ids)`."""
    missing = [p.id for p in sparse_points if str(p.id) not in cosines]
    if missing:
        cosines = cosines | _cosines(dense, retrieve(missing))
    return cosines


def field_results(
    dense_points: Sequence, sparse_points: Sequence | None, cosines: dict[str, float]
) -> dict[str, list[Scored]]:
    """`candidates`' answer from the backend's dense and sparse points.

    `cosines` maps point id (as a string) to its dense cosine, for every sparse point (a
    dense point's own score is its cosine).
    """
    found = {DENSE: [Scored(str(p.id), p.payload or {}, p.score) for p in dense_points]}
    if sparse_points is not None:
        found[SPARSE] = [
            Scored(str(p.id), p.payload or {}, cosines[str(p.id)]) for p in sparse_points
        ]
    return found


def open_index(
    *,
    collection: str,
    path: Path | None = None,
    url: str | None = None,
    api_key: str | None = None,
    client=None,
) -> Index:
    """A server/cluster index when `url` (or a ready qdrant-client) is given, else embedded Edge."""
    if client is not None or url:
        from ingest.index_client import ClientIndex

        return ClientIndex(collection=collection, url=url, api_key=api_key, client=client)
    from ingest.index_edge import EdgeIndex

    return EdgeIndex(collection=collection, path=Path(path or "data/qdrant"))
