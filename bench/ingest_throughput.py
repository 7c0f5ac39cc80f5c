"""Ingest throughput on real HTML pages, against raw model.encode of the same chunks.

    python -m bench.ingest_throughput [--pages 500]

Prints pages/s and chunks/s of the whole pipeline (read, parse, chunk, embed,
upsert), the raw encode throughput of the same chunk texts in the same process,
their ratio (goal >= 0.8), and a no-change re-run's time (goal < 5% of the full run).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.corpus import sample_pages
from ingest.chunk import Chunker
from ingest.embed import Embedder, resolve_model
from ingest.index import open_index
from ingest.parse import parse
from ingest.sources.files import FilesSource
from ingest.sync import Syncer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deskbot-bench-"))
    corpus = sample_pages(work / "corpus", args.pages)
    embedder = Embedder(resolve_model(None), batch_size=64)
    embedder.encode_documents(["warm-up"] * 8)

    source = FilesSource(corpus)
    chunker = Chunker(embedder.tokenizer, embedder.max_seq_length)
    texts = [c.embedding_text for d in source.iter_documents() for c in chunker.chunk(d, parse(d))]
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        embedder.encode_documents(texts[i : i + 256])
    raw = time.perf_counter() - started

    with open_index(collection="bench", path=work / "qdrant") as index:
        syncer = Syncer(index, embedder)
        full = syncer.run(FilesSource(corpus))
        again = syncer.run(FilesSource(corpus))

    print(f"corpus: {full.pages_seen} HTML pages, {full.chunks_written} chunks ({corpus})")
    print(f"raw model.encode:  {len(texts) / raw:8.1f} chunks/s  ({raw:.1f} s)")
    print(
        f"full ingest:       {full.chunks_written / full.seconds:8.1f} chunks/s  "
        f"{full.pages_seen / full.seconds:.1f} pages/s  ({full.seconds:.1f} s)"
    )
    print(f"pipeline / raw encode: {raw / full.seconds:.2f}x   (goal >= 0.8x)")
    print(
        f"no-change re-run:  {again.seconds:.2f} s = {100 * again.seconds / full.seconds:.1f}% "
        f"of the full ingest (goal < 5%); {again.unchanged} unchanged, "
        f"{again.chunks_written} chunks written"
    )


if __name__ == "__main__":
    main()
