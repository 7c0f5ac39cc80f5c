"""One contract suite for both index backends: Qdrant Edge and qdrant-client (:memory:)."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from qdrant_client import QdrantClient

from bot.ranking import rank_pages
from deskbot.core.errors import IndexLockedError, ModelMismatchError
from ingest.document import point_id
from ingest.index import DENSE, HIT_FIELDS, SPARSE, PointData, missing_cosines, open_index
from ingest.sparse import BM25Encoder, SparseVector

BM25 = BM25Encoder()
TEXTS = {
    "vpn.md": "Connect to the VPN with the Northwind Connect app on Windows and macOS",
    "printer.md": "Add the printer on floor two from the print server queue",
    "leave.md": "Holiday policy: twenty five days of paid leave, carry over five days",
    "wifi.md": "Join the office Wi-Fi network with your Okta password",
}


def _vector(seed: int, dim: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim).astype(np.float32)
    return v / np.linalg.norm(v)


def _points(source: str = "files:/wiki") -> list[PointData]:
    return [
        PointData(
            id=point_id(source, doc_id, 0),
            dense=_vector(i),
            sparse=BM25.encode_document(text),
            payload={"source": source, "doc_id": doc_id, "doc_hash": f"h{i}", "text": text},
        )
        for i, (doc_id, text) in enumerate(TEXTS.items())
    ]


@pytest.fixture(params=["edge", "client"])
def index(request, tmp_path):
    if request.param == "edge":
        idx = open_index(collection="t", path=tmp_path / "qdrant")
    else:
        idx = open_index(collection="t", client=QdrantClient(":memory:"))
    idx.ensure("model-a", 8, BM25.params())
    yield idx
    idx.close()


def test_upsert_candidates_count(index):
    index.upsert(_points())
    assert index.count() == 4
    found = index.candidates(_vector(2), BM25.encode_query("paid leave days"), limit=2)
    for field in (DENSE, SPARSE):
        assert found[field][0].payload["doc_id"] == "leave.md"
        assert found[field][0].cosine == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("field", "query", "seed", "expected"),
    [
        (SPARSE, "printer floor", 0, "printer.md"),
        (DENSE, "anything", 3, "wifi.md"),
        ("fused", "printer queue", 1, "printer.md"),
    ],
)
def test_fields_and_fusion(index, field, query, seed, expected):
    """Each field's best point, and the best page once the caller fuses them."""
    index.upsert(_points())
    found = index.candidates(_vector(seed), BM25.encode_query(query), limit=1)
    if field == "fused":
        assert rank_pages(found)[0].key == ("files:/wiki", expected)
    else:
        assert found[field][0].payload["doc_id"] == expected


def _bm25_scores(points: list[PointData], words: SparseVector) -> dict[str, float]:
    """The sparse field's scores by hand: the query's weights times the documents', each term
    weighted by Qdrant's IDF modifier, ln((N - n + 0.5) / (n + 0.5) + 1)."""
    docs = {p.id: dict(zip(p.sparse.indices, p.sparse.values, strict=True)) for p in points}
    idf = {
        t: math.log((len(docs) - n + 0.5) / (n + 0.5) + 1)
        for t in words.indices
        if (n := sum(t in d for d in docs.values()))
    }
    query = dict(zip(words.indices, words.values, strict=True))
    return {i: sum(idf[t] * w * d[t] for t, w in query.items() if t in d) for i, d in docs.items()}


def test_candidates_per_field_with_cosines(index):
    """One round trip: each field's own order, the dense cosine on every result (the sparse
    ones' computed in the engine), and only the payload fields a search shows."""
    points = _points()
    for p in points:
        p.payload["content_hash"] = "not for searches"
    index.upsert(points)
    query, words = _vector(9), BM25.encode_query("paid leave on the office printer")
    found = index.candidates(query, words, limit=3)
    vectors = {p.id: p.dense for p in points}
    by_cosine = sorted(vectors, key=lambda i: -float(vectors[i] @ query))[:3]
    assert [s.id for s in found[DENSE]] == by_cosine
    bm25 = _bm25_scores(points, words)  # the engine orders equal scores its own way
    best = sorted((v for v in bm25.values() if v > 0), reverse=True)[:3]
    assert [bm25[s.id] for s in found[SPARSE]] == pytest.approx(best, rel=1e-5)
    for scored in found[DENSE] + found[SPARSE]:
        assert scored.cosine == pytest.approx(float(vectors[scored.id] @ query), abs=1e-6)
        assert set(scored.payload) <= set(HIT_FIELDS) and scored.payload["text"]


def test_candidates_filter_and_wordless_query(index):
    index.upsert(_points("files:/a") + _points("confluence:HR"))
    found = index.candidates(_vector(1), BM25.encode_query("vpn printer"), limit=8,
                             sources=["confluence:HR"])  # fmt: skip
    assert {s.payload["source"] for f in found.values() for s in f} == {"confluence:HR"}
    assert len(found[DENSE]) == 4
    assert list(index.candidates(_vector(1), BM25.encode_query("?!"), limit=3)) == [DENSE]


def test_missing_cosines_are_computed_from_vectors():
    """A sparse candidate the engine's rescoring left out (a tie at its cut) still gets
    its cosine, from its fetched vector."""
    query = _vector(4)
    points = [Record(f"p{n}", {DENSE: _vector(n).tolist()}) for n in range(3)]
    fetched = []

    def retrieve(ids):
        fetched.append(list(ids))
        return [p for p in points if p.id in ids]

    cosines = missing_cosines(query, points, {"p0": 0.5}, retrieve)
    assert fetched == [["p1", "p2"]] and cosines["p0"] == 0.5
    assert cosines["p2"] == pytest.approx(float(_vector(2) @ query), abs=1e-6)


class Record:
    """A backend point as a fetch returns it: id, vectors, no payload, no score."""

    def __init__(self, id: str, vector: dict) -> None:
        self.id, self.vector, self.payload = id, vector, None


def test_source_filter_and_counts(index):
    index.upsert(_points("files:/a") + _points("confluence:HR"))
    found = index.candidates(_vector(0), BM25.encode_query("vpn"), limit=10,
                             sources=["confluence:HR"])  # fmt: skip
    for hits in found.values():
        assert hits and {h.payload["source"] for h in hits} == {"confluence:HR"}
    assert index.count("files:/a") == 4
    assert index.source_counts() == {"files:/a": (4, 4), "confluence:HR": (4, 4)}


def test_doc_state_and_delete(index):
    points = _points()
    index.upsert(points)
    state = index.doc_state(["files:/wiki"])
    assert state[("files:/wiki", "vpn.md")] == ("h0", {points[0].id})
    index.delete([points[0].id])
    assert ("files:/wiki", "vpn.md") not in index.doc_state(["files:/wiki"])
    assert index.doc_state(["files:/other"]) == {}


def test_meta_records_model_and_syncs(index):
    index.record_sync("files:/wiki", {"at": "2026-11-24T10:00:00+00:00"})
    meta = index.read_meta()
    assert (meta.model, meta.dimension, meta.bm25["k1"]) == ("model-a", 8, 1.2)
    assert meta.syncs["files:/wiki"]["at"].startswith("2026-11-24")


def test_a_sync_without_a_language_keeps_the_stored_one(index):
    index.record_sync("files:/wiki", {"pages": 3, "language": "pt"})
    index.record_sync("files:/wiki", {"pages": 4, "language": None})
    assert index.read_meta().syncs["files:/wiki"] == {"pages": 4, "language": "pt"}
    index.record_sync("files:/new", {"pages": 1, "language": None})
    assert index.read_meta().syncs["files:/new"] == {"pages": 1, "language": None}


def test_other_model_is_refused(index):
    with pytest.raises(ModelMismatchError, match="model-a.*EMBEDDING_MODEL is model-b"):
        index.ensure("model-b", 16, BM25.params())


def test_drop(index):
    index.upsert(_points())
    index.drop()
    assert index.read_meta() is None and index.count() == 0


def test_backends_rank_alike(tmp_path):
    """Edge and qdrant-client give the same order for the same data and query."""
    rankings = []
    for idx in (
        open_index(collection="t", path=tmp_path / "q"),
        open_index(collection="t", client=QdrantClient(":memory:")),
    ):
        with idx:
            idx.ensure("m", 8, BM25.params())
            idx.upsert(_points())
            found = idx.candidates(_vector(5), BM25.encode_query("office password"), limit=4)
            rankings.append({f: [h.payload["doc_id"] for h in hits] for f, hits in found.items()})
    assert set(rankings[0]) == {DENSE, SPARSE} and rankings[0] == rankings[1]


def test_edge_lock_and_reopen(tmp_path):
    first = open_index(collection="t", path=tmp_path)
    first.ensure("m", 8, BM25.params())
    first.upsert(_points())
    with pytest.raises(IndexLockedError, match=f"pid {os.getpid()}"):
        open_index(collection="t", path=tmp_path)
    first.close()
    with open_index(collection="t", path=tmp_path) as again:
        assert again.count() == 4 and again.read_meta().model == "m"
