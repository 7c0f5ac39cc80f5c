"""An embedding cache for the benchmark: each text is embedded once per model, ever.

Wraps an `Embedder` with the same interface, so the real `Syncer` and `Retriever` run
unchanged; vectors are kept in a SQLite file under bench/corpus/ (gitignored) keyed by
the model name and the text's sha256. Re-running the benchmark after a retrieval change
then costs seconds instead of re-embedding thousands of chunks on a CPU.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np


class CachedEmbedder:
    """The Embedder interface over a real embedder, with a persistent vector cache."""

    def __init__(self, embedder, path: Path) -> None:
        self.inner = embedder
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, kind TEXT, sha TEXT, vector BLOB, "
            "PRIMARY KEY (model, kind, sha))"
        )
        self.misses = 0

    name = property(lambda self: self.inner.name)
    dimension = property(lambda self: self.inner.dimension)
    model_sha256 = property(lambda self: getattr(self.inner, "model_sha256", None))
    max_seq_length = property(lambda self: self.inner.max_seq_length)
    tokenizer = property(lambda self: self.inner.tokenizer)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "doc", self.inner.encode_documents)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query", self.inner.encode_queries)

    def _encode(self, texts: list[str], kind: str, encode) -> np.ndarray:
        keys = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        found = dict(self._lookup(kind, set(keys)))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            self.misses += len(missing)
            vectors = encode([t for _, t in missing])
            rows = [
                (self.name, kind, k, v.astype(np.float32).tobytes())
                for (k, _), v in zip(missing, vectors, strict=True)
            ]
            self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            self.db.commit()
            found.update(
                (k, v.astype(np.float32)) for (k, _), v in zip(missing, vectors, strict=True)
            )
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def _lookup(self, kind: str, keys: set[str]):
        keys = list(keys)
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT sha, vector FROM vectors WHERE model = ? AND kind = ? AND sha IN ({marks})",
                [self.name, kind, *part],
            )
            for sha, blob in rows:
                yield sha, np.frombuffer(blob, dtype=np.float32)
