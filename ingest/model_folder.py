"""A sentence-transformers model folder, read without torch: its pipeline and identity.

The ONNX path (ingest/embed_onnx.py) reproduces one pipeline exactly: a Transformer
encoder whose `last_hidden_state` is mean-pooled over the attention mask, then
normalised. `pipeline_problem()` says why a folder is anything else, so the caller falls
back to sentence-transformers instead of producing different vectors.

`identity()` is the backend-independent identity recorded with the index and the ONNX
export: sha256 over the files that decide the vectors (weights, configs, tokenizer), with
JSON files hashed in canonical form so whitespace does not count.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# Besides the weights, the files that decide the vectors (read when present).
DEFINING_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
)
_MODULE_KINDS = {"Transformer", "Pooling", "Normalize"}
# (path, size, mtime_ns) -> sha256: a folder is hashed once per process, again if it changes.
_MEMO: dict[tuple[str, int, int], str] = {}
_POOLING_MODES = (
    "pooling_mode_cls_token",
    "pooling_mode_max_tokens",
    "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens",
    "pooling_mode_lasttoken",
)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class ModelFolder:
    """Read-only view of a local sentence-transformers model folder."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def weights(self) -> Path | None:
        return next((self.path / n for n in WEIGHT_FILES if (self.path / n).is_file()), None)

    def file_sha256(self, name: str) -> str:
        """sha256 of one file (JSON canonicalised); not read again while it is unchanged."""
        path = self.path / name
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in _MEMO:
            if path.suffix == ".json":
                canonical = json.dumps(_read_json(path), sort_keys=True, separators=(",", ":"))
                _MEMO[key] = hashlib.sha256(canonical.encode()).hexdigest()
            else:
                _MEMO[key] = sha256_file(path)
        return _MEMO[key]

    def identity(self) -> str:
        """sha256 over the defining files' names and hashes: same weights, same identity."""
        names = [n for n in (*WEIGHT_FILES, *DEFINING_FILES) if (self.path / n).is_file()]
        names += [m for m in self._pooling_configs() if (self.path / m).is_file()]
        lines = "".join(f"{n}\t{self.file_sha256(n)}\n" for n in sorted(names))
        return hashlib.sha256(lines.encode()).hexdigest()

    def max_seq_length(self) -> int | None:
        config = self.path / "sentence_bert_config.json"
        value = _read_json(config).get("max_seq_length") if config.is_file() else None
        return int(value) if isinstance(value, int) else None

    def pipeline_problem(self) -> str | None:
        """Why ONNX cannot reproduce this folder's pipeline exactly, or None when it can."""
        if self.weights is None:
            return f"{self.path} has no model.safetensors or pytorch_model.bin"
        if not (self.path / "tokenizer.json").is_file():
            return f"{self.path} has no tokenizer.json (a fast tokenizer is needed)"
        modules = self._modules()
        if modules is None:
            return f"{self.path}/modules.json is missing or unreadable"
        kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return f"its modules are {kinds}, not Transformer, Pooling (mean), Normalize"
        if modules[0].get("path", "") not in ("", "."):
            return "its Transformer module lives in a subfolder"
        return self._pooling_problem(modules[1]) or self._config_problem()

    def _modules(self) -> list[dict] | None:
        path = self.path / "modules.json"
        try:
            data = _read_json(path)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, list) and all(isinstance(m, dict) for m in data) else None

    def _pooling_configs(self) -> list[str]:
        modules = self._modules() or []
        return [f"{m['path']}/config.json" for m in modules if m.get("path")]

    def _pooling_problem(self, module: dict) -> str | None:
        config = self.path / str(module.get("path", "")) / "config.json"
        try:
            pooling = _read_json(config)
        except (OSError, ValueError):
            return f"its pooling config {config} is missing or unreadable"
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(mode) for mode in _POOLING_MODES
        ):
            return "its pooling is not plain mean pooling"
        if pooling.get("include_prompt") is False:
            return "its pooling leaves the prompt out"
        return None

    def _config_problem(self) -> str | None:
        bert = self.path / "sentence_bert_config.json"
        options = _read_json(bert) if bert.is_file() else {}
        if options.get("do_lower_case"):
            return "it lower-cases text before its tokenizer (do_lower_case)"
        unknown = sorted(set(options) - {"max_seq_length", "do_lower_case"})
        if unknown:
            return f"its sentence_bert_config.json sets {unknown}"
        st_config = self.path / "config_sentence_transformers.json"
        extra = _read_json(st_config) if st_config.is_file() else {}
        if extra.get("default_prompt_name"):
            return "it adds a default prompt to every text"
        return None


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
