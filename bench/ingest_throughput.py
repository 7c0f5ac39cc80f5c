"""Ingest throughput on real HTML pages: ONNX Runtime vs torch vs raw `model.encode`.

    python -m bench.ingest_throughput [--pages 500] [--backends onnx torch]

In one process, on the same chunks: the raw encode throughput of sentence-transformers'
`model.encode` (torch) and of the ONNX encoder, then the whole pipeline (read, parse,
chunk, embed, upsert) once per embedding backend into a fresh index each, the ratio
pipeline / raw `model.encode` (goal >= 0.8), and a no-change re-run's time (goal < 5% of
the full run). The default backend for ingest should be the faster pipeline. The full
500-page corpus takes ~20 min per pass on 2 quiet cores; `--pages 100` is a quick look.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.corpus import sample_pages
from bench.machine import MODELS, load_average
from ingest.chunk import Chunker
from ingest.embed import Embedder, resolve_model
from ingest.index import open_index
from ingest.parse import parse
from ingest.sources.files import FilesSource
from ingest.sync import Syncer


def raw_encode(embedder: Embedder, texts: list[str]) -> float:
    """Seconds to embed `texts` in batches of 256 (what the sync hands the embedder)."""
    embedder.encode_documents(["warm-up"] * 8)
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        embedder.encode_documents(texts[i : i + 256])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--backends", nargs="+", default=["onnx", "torch"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deskbot-bench-"))
    corpus = sample_pages(work / "corpus", args.pages)
    print(f"start: {load_average()}", flush=True)
    embedders = {
        b: Embedder(resolve_model(None), batch_size=64, backend=b, models_dir=MODELS)
        for b in args.backends
    }
    first = next(iter(embedders.values()))
    chunker = Chunker(first.tokenizer, first.max_seq_length)
    texts = [
        c.embedding_text
        for d in FilesSource(corpus).iter_documents()
        for c in chunker.chunk(d, parse(d))
    ]
    print(f"corpus: {args.pages} HTML pages, {len(texts)} chunks ({corpus})")
    raw = {}
    for backend, embedder in embedders.items():
        raw[backend] = raw_encode(embedder, texts)
        label = "raw model.encode (torch)" if backend == "torch" else f"raw {backend} encode"
        print(
            f"{label:26} {len(texts) / raw[backend]:8.1f} chunks/s  ({raw[backend]:.1f} s)",
            flush=True,
        )
    for backend, embedder in embedders.items():
        with open_index(collection="bench", path=work / f"qdrant-{backend}") as index:
            syncer = Syncer(index, embedder)
            full = syncer.run(FilesSource(corpus))
            again = syncer.run(FilesSource(corpus))
        reference = raw.get("torch", raw[backend])
        print(
            f"full ingest on {backend:5}     {full.chunks_written / full.seconds:8.1f} chunks/s  "
            f"{full.pages_seen / full.seconds:.1f} pages/s  ({full.seconds:.1f} s); "
            f"pipeline / raw model.encode {reference / full.seconds:.2f}x (goal >= 0.8x)",
            flush=True,
        )
        print(
            f"  no-change re-run {again.seconds:.2f} s = {100 * again.seconds / full.seconds:.1f}% "
            f"(goal < 5%); {again.unchanged} unchanged, {again.chunks_written} chunks written"
        )
    if {"onnx", "torch"} <= set(raw):
        print(f"raw encode onnx / torch speed: {raw['torch'] / raw['onnx']:.2f}x")
    print(f"end: {load_average()}")


if __name__ == "__main__":
    main()
