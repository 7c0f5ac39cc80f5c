"""Search latency (query embedding + hybrid search + ranking) at 10k, 50k and 100k chunks.

    python -m bench.search_latency [--sizes 10000 50000 100000] [--queries 100]
                                   [--embedders onnx torch] [--backends edge local]

Each search is `Retriever.search` with the shipped settings (query embedding, each
field's candidates from the index, page ranking, the coverage decision), timed end to end
and per stage (wall and CPU time). Each search runs once per embedding backend
(EMBEDDING_BACKEND: ONNX Runtime, the default, and torch) over the same index.

For each size an index is built, closed, and then searched from a fresh process
(so reopen time and peak RSS are those of a process that only searches), first
on the embedded default (Qdrant Edge), then on qdrant-client's local path mode.

The chunks are real: passages of Debian's Python HTML documentation, embedded with
the real model, with their real payloads. Beyond the first --real chunks, points are
those vectors with a little Gaussian noise (renormalised) and the same texts' sparse
vectors and payloads, each copy of the corpus its own set of pages: enough to load the
engine like a real corpus of that size without an hour of embedding.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import numpy as np

from bench.machine import MODELS, load_average

STAGES = ("embed", "index", "rank", "coverage")  # bot/retrieve.py's stopwatch laps
QUERIES = [
    "how do I read a file line by line",
    "sort a list of dictionaries by a key",
    "what is the difference between a list and a tuple",
    "run a shell command and capture its output",
    "parse command line arguments",
    "format a date as a string",
    "make an HTTP request",
    "write a unit test",
    "how do I create a virtual environment",
    "catch several exceptions in one except clause",
    "read environment variables",
    "merge two dictionaries",
    "regular expression to find all numbers",
    "iterate over two lists at the same time",
    "start a thread and wait for it",
    "serialize an object to JSON",
    "what does the with statement do",
    "generate random numbers",
    "measure how long code takes to run",
    "open a sqlite database",
]


def build(kind: str, path: Path, size: int, real: int) -> dict:
    """Embed `real` real chunks, then write `size` points into a fresh index."""
    from bench.corpus import sample_pages
    from ingest.chunk import Chunker
    from ingest.embed import Embedder, resolve_model
    from ingest.index import PointData, chunk_payload, open_index
    from ingest.parse import parse
    from ingest.sources.files import FilesSource
    from ingest.sparse import BM25Encoder

    embedder = Embedder(resolve_model(None), backend="onnx", models_dir=MODELS)
    corpus = sample_pages(path / "corpus", 400)
    chunker = Chunker(embedder.tokenizer, embedder.max_seq_length)
    chunks = [c for d in FilesSource(corpus).iter_documents() for c in chunker.chunk(d, parse(d))]
    chunks = chunks[:real]
    cache = Path(tempfile.gettempdir()) / f"deskbot-bench-vectors-{real}.npy"
    if cache.exists():  # the same real chunks for every size and backend: embed them once
        dense = np.load(cache)
    else:
        dense = embedder.encode_documents([c.embedding_text for c in chunks])
        np.save(cache, dense)
    bm25 = BM25Encoder()
    sparse = [bm25.encode_document(c.embedding_text) for c in chunks]
    per_page = Counter(c.doc_id for c in chunks)
    rng = np.random.default_rng(7)
    index = _open(kind, path, open_index)
    index.ensure(embedder.name, embedder.dimension, bm25.params())
    started = time.perf_counter()
    for start in range(0, size, 1000):
        batch = []
        for n in range(start, min(size, start + 1000)):
            i, copy = n % len(chunks), n // len(chunks)
            vector = dense[i] if n < len(chunks) else _jitter(dense[i], rng)
            payload = chunk_payload(chunks[i], per_page[chunks[i].doc_id])
            payload |= {"source": "files:/bench", "doc_id": f"{chunks[i].doc_id}#{copy}"}
            batch.append(PointData(str(uuid.UUID(int=n + 1)), vector, sparse[i], payload))
        index.upsert(batch)
    if size >= 20_000:  # what the sync does after a large write
        index.optimize()
    built = time.perf_counter() - started
    index.close()
    return {"build_s": built, "real_chunks": len(chunks)}


def search(kind: str, path: Path, queries: int, embedding: str = "onnx") -> dict:
    """Reopen, then time query embedding + hybrid search + ranking + coverage, per stage;
    report peak RSS."""
    from bot.retrieve import Retriever
    from ingest.embed import Embedder, resolve_model
    from ingest.index import open_index

    embedder = Embedder(resolve_model(None), backend=embedding, models_dir=MODELS)
    assert embedder.backend == embedding, f"asked for {embedding}, got {embedder.backend}"
    started = time.perf_counter()
    index = _open(kind, path, open_index)
    reopen = time.perf_counter() - started
    retriever = Retriever(index, embedder)  # the shipped settings
    retriever.search("warm up")
    latencies, walls, cpus = [], {}, {}
    for n in range(queries):
        t0 = time.perf_counter()
        result = retriever.search(QUERIES[n % len(QUERIES)])
        latencies.append(time.perf_counter() - t0)
        for stage in STAGES:
            walls.setdefault(stage, []).append(result.stages.wall.get(stage, 0.0))
            cpus.setdefault(stage, []).append(result.stages.cpu.get(stage, 0.0))
    index.close()
    p50, p95 = np.percentile(latencies, [50, 95]) * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages = {
        stage: {
            "p50_ms": float(np.percentile(walls[stage], 50) * 1000),
            "p95_ms": float(np.percentile(walls[stage], 95) * 1000),
            "cpu_ms": float(np.mean(cpus[stage]) * 1000),
        }
        for stage in STAGES
    }
    return {"reopen_s": reopen, "p50_ms": p50, "p95_ms": p95, "rss_mb": rss, "stages": stages}


def _stage_lines(kind: str, embedding: str, size: int, stages: dict) -> list[str]:
    return [
        f"  {kind} {embedding} {size}: {stage:8} p50 {s['p50_ms']:6.2f} ms  "
        f"p95 {s['p95_ms']:6.2f} ms  CPU {s['cpu_ms']:6.2f} ms (mean, all threads)"
        for stage, s in stages.items()
    ]


def _open(kind: str, path: Path, open_index):
    if kind == "edge":
        return open_index(collection="bench", path=path / "edge")
    from qdrant_client import QdrantClient

    return open_index(collection="bench", client=QdrantClient(path=str(path / "local")))


def _jitter(vector: np.ndarray, rng) -> np.ndarray:
    noisy = vector + rng.normal(scale=0.02, size=vector.shape).astype(np.float32)
    return noisy / np.linalg.norm(noisy)


def _worker(args) -> None:
    path = Path(args.path)
    if args.worker == "build":
        result = build(args.kind, path, args.size, args.real)
    else:
        result = search(args.kind, path, args.queries, args.embedding)
    print(json.dumps(result))


def _run(*argv: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.search_latency", *argv],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--real", type=int, default=4_000)
    parser.add_argument("--backends", nargs="+", default=["edge", "local"])
    parser.add_argument("--embedders", nargs="+", default=["onnx", "torch"])
    parser.add_argument("--embedding", default="onnx")
    parser.add_argument("--worker", choices=["build", "search"])
    parser.add_argument("--kind", default="edge")
    parser.add_argument("--path")
    parser.add_argument("--size", type=int, default=0)
    args = parser.parse_args()
    if args.worker:
        return _worker(args)
    print(load_average())
    print("backend  embed  chunks   build s  reopen s  p50 ms  p95 ms  peak RSS MB")
    stage_lines = []
    for size in args.sizes:
        for kind in args.backends:
            path = tempfile.mkdtemp(prefix=f"deskbot-search-{kind}-")
            built = _run(
                "--worker",
                "build",
                "--kind",
                kind,
                "--path",
                path,
                "--size",
                str(size),
                "--real",
                str(args.real),
            )
            queries = args.queries if kind == "edge" else max(10, args.queries // 5)
            for embedding in args.embedders:
                found = _run(
                    "--worker", "search", "--kind", kind, "--path", path,
                    "--queries", str(queries), "--embedding", embedding,
                )  # fmt: skip
                print(
                    f"{kind:7} {embedding:5} {size:7d} {built['build_s']:8.1f} "
                    f"{found['reopen_s']:9.2f} {found['p50_ms']:7.1f} {found['p95_ms']:7.1f} "
                    f"{found['rss_mb']:11.0f}",
                    flush=True,
                )
                stage_lines += _stage_lines(kind, embedding, size, found["stages"])
    print("per stage (wall p50/p95 of each stage alone; CPU: the process's, so ONNX Runtime's")
    print("and the index engine's worker threads count too):")
    print("\n".join(stage_lines))
    print(f"at the end: {load_average()}")
    print("goal (edge, onnx, 100k): p95 < 8 ms, reopen < 2 s")


if __name__ == "__main__":
    main()
