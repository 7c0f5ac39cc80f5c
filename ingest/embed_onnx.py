"""Sentence embeddings on ONNX Runtime: the model's fast tokenizer, an exported encoder,
mean pooling over the attention mask, then L2 normalisation.

This is the sentence-transformers pipeline Transformer -> Pooling(mean) -> Normalize
(ingest/model_folder.py checks a folder is exactly that) without torch: a process that
only searches imports onnxruntime, tokenizers and numpy. The export comes from
ingest/onnx_export.py, which checked it against torch before use, laid out as
ingest/onnx_layout.py describes: weights mapped, token-embedding rows read per batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from deskbot.core.memory import give_back_memory
from ingest.onnx_layout import TokenRows


def load_tokenizer(folder: Path, max_seq_length: int):
    """The folder's tokenizer.json, truncating as sentence-transformers does, unpadded.

    Padding is done per batch in `OnnxEncoder`, to the batch's longest text.
    """
    return _tokenizer_and_pad_id(folder, max_seq_length)[0]


def _tokenizer_and_pad_id(folder: Path, max_seq_length: int) -> tuple:
    """`load_tokenizer`'s tokenizer and the id padding uses: tokenizer.json's padding, else
    the pad token, else 0."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    padding = tokenizer.padding  # tokenizer.json's, before no_padding() clears it
    config = _tokenizer_config(folder)
    side = config.get("truncation_side", "right")
    tokenizer.enable_truncation(max_seq_length, strategy="longest_first", direction=side)
    tokenizer.no_padding()
    if padding and isinstance(padding.get("pad_id"), int):
        return tokenizer, int(padding["pad_id"])
    pad = config.get("pad_token")
    pad = pad.get("content") if isinstance(pad, dict) else pad
    token_id = tokenizer.token_to_id(pad) if isinstance(pad, str) else None
    return tokenizer, int(token_id) if token_id is not None else 0


class OnnxEncoder:
    """Texts -> normalised vectors with one ONNX Runtime session (thread-safe `encode`)."""

    def __init__(
        self,
        onnx_path: Path,
        folder: Path,
        *,
        max_seq_length: int,
        dimension: int,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort

        self.path = Path(onnx_path)
        self.tokenizer, self.pad_id = _tokenizer_and_pad_id(folder, max_seq_length)
        self.max_seq_length = max_seq_length
        self.dimension = dimension
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only: no graph-optimiser chatter on stderr
        # No arena: with it, one 64 x 256-token batch (an ingest, a /reindex in the bot) left
        # the process at ~1.2-1.8 GB for good; without it (and with `give_back_memory`) it
        # returns to where it was, at the same speed.
        options.enable_cpu_mem_arena = False
        # Idle worker threads sleep instead of spinning: on a CPU shared with other work (the
        # bot's own threads, other processes) spinning cost one query ~2x the CPU and ~2.5x
        # the wall time under load, and bulk encoding was no faster with it (bench.search_latency).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.token_rows = TokenRows.of(self.path, self.session.get_modelmeta().custom_metadata_map)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit vectors, one row per text; batches hold texts of similar length."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch_fast(list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._run([encodings[i] for i in rows])
        if len(texts) > 16:
            give_back_memory()
        return out

    def _run(self, batch) -> np.ndarray:
        width = max(len(e.ids) for e in batch)
        ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        types = np.zeros((len(batch), width), dtype=np.int64)
        for row, encoding in enumerate(batch):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
            types[row, :n] = encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        if self.token_rows is not None:
            feeds[self.token_rows.input] = self.token_rows(ids)
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        return mean_pool_normalise(hidden, mask)


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling then Normalize, in numpy (float32)."""
    weights = mask.astype(np.float32)[..., None]
    summed = (hidden.astype(np.float32) * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _tokenizer_config(folder: Path) -> dict:
    path = folder / "tokenizer_config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
