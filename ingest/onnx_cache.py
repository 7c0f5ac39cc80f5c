"""The cached ONNX export of a model folder: find it, trust it only when checked, rebuild it.

Layout: `<models_dir>/<folder name>-<hash of its path>/model.onnx` (the graph), the files
beside it (`model.onnx.data`, `model.onnx.rows`: ingest/onnx_layout.py) and `model.json`
(the sidecar). The sidecar records the source folder's identity (sha256 of its weights,
configs and tokenizer), every export file's sha256, the exporter's and ONNX Runtime's
versions, and the verification against torch. It is written last, so files without one
were never verified.

The export is used only when the sidecar matches the folder's identity, every file's
checksum and this ONNX Runtime's version, and the files load; otherwise it is exported
again (one process at a time, under a file lock) by a child process that imports torch,
so the process that asked for the model never does.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from deskbot.core.errors import OnnxExportError
from ingest.embed_onnx import OnnxEncoder
from ingest.model_folder import ModelFolder, sha256_file

log = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
SIDECAR = "model.json"
# 4: attention fused (onnx_export.fuse_attention); 3: the layout of ingest/onnx_layout.py,
# one sha256 per file; 2: big tensors in model.onnx.data, token table included; 1:
# everything in model.onnx
FORMAT = 4


def cache_dir(models_dir: Path, folder: ModelFolder, name: str | None = None) -> Path:
    """Where this folder's export lives: one directory per source folder path."""
    resolved = str(folder.path.resolve())
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name or folder.path.name).strip("-.")[:60] or "model"
    return Path(models_dir) / f"{slug}-{hashlib.sha256(resolved.encode()).hexdigest()[:10]}"


def load_onnx(
    folder: ModelFolder, models_dir: Path, *, identity: str | None = None, name: str | None = None
) -> OnnxEncoder:
    """A verified OnnxEncoder for `folder`, exporting (with torch) first when needed.

    Raises OnnxExportError (or OSError for an unwritable cache) when there is none.
    """
    identity = identity or folder.identity()
    directory = cache_dir(models_dir, folder, name)
    encoder, problem = _open_checked(folder, directory, identity)
    if encoder is not None:
        return encoder
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory / ".lock"):
        encoder, problem = _open_checked(folder, directory, identity)  # another process won?
        if encoder is not None:
            return encoder
        log.info(
            "Preparing the ONNX embedding model in %s (%s): exporting from %s and checking it "
            "against torch, once.",
            directory,
            problem,
            folder.path,
        )
        export(folder, directory, identity)
    encoder, problem = _open_checked(folder, directory, identity)
    if encoder is None:
        raise OnnxExportError(f"the fresh ONNX export in {directory} is unusable: {problem}")
    return encoder


def export(folder: ModelFolder, directory: Path, identity: str) -> dict:
    """Export and verify into `directory` (in a child process), then write the sidecar last."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / SIDECAR).unlink(missing_ok=True)  # the old file is no longer vouched for
    facts = _export_in_child(folder.path, directory / ONNX_FILE)
    sidecar = {
        "format": FORMAT,
        "source": {"path": str(folder.path.resolve()), "identity": identity},
        **facts,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    temporary = directory / f"{SIDECAR}.tmp-{os.getpid()}"
    temporary.write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, directory / SIDECAR)
    return sidecar


def _export_in_child(folder: Path, target: Path) -> dict:
    """Run ingest.onnx_export in a fresh interpreter: torch loads there, not here."""
    done = subprocess.run(
        [sys.executable, "-m", "ingest.onnx_export", str(folder), str(target)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        found = [line for line in lines if line.startswith("OnnxExportError: ")]
        why = found[-1].removeprefix("OnnxExportError: ") if found else (lines or ["no output"])[-1]
        raise OnnxExportError(f"the ONNX export failed (exit {done.returncode}): {why}")
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise OnnxExportError("the ONNX exporter printed no result") from None


def read_sidecar(directory: Path) -> dict | None:
    try:
        data = json.loads((directory / SIDECAR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def stale_reason(directory: Path, identity: str) -> str | None:
    """Why the cached export may not be used as it is, or None when it may."""
    return _stale_reason(directory, read_sidecar(directory), identity)


def _stale_reason(directory: Path, sidecar: dict | None, identity: str) -> str | None:
    onnx_file = directory / ONNX_FILE
    if sidecar is None or not onnx_file.is_file():
        return "no verified export yet"
    if sidecar.get("format") != FORMAT:
        return "the export was made by another version of deskbot"
    checksums = sidecar.get("sha256") or {}
    missing = [directory / name for name in checksums if not (directory / name).is_file()]
    if missing or ONNX_FILE not in checksums:
        return f"{missing[0] if missing else onnx_file} is missing"
    if (sidecar.get("source") or {}).get("identity") != identity:
        return "the source model's files changed since the export"
    runtime = (sidecar.get("exporter") or {}).get("onnxruntime")
    if runtime != (installed := package_version("onnxruntime")):
        return f"it was verified with onnxruntime {runtime}, this is {installed}"
    for name, digest in checksums.items():
        if sha256_file(directory / name) != digest:
            return f"{directory / name} is corrupt (its checksum does not match the sidecar)"
    return None


def _open_checked(folder: ModelFolder, directory: Path, identity: str):
    """(encoder, None) when the cached export is sound and loads, else (None, why not)."""
    sidecar = read_sidecar(directory)
    problem = _stale_reason(directory, sidecar, identity)
    if sidecar is None or problem is not None:
        return None, problem
    try:
        encoder = OnnxEncoder(
            directory / ONNX_FILE,
            folder.path,
            max_seq_length=int(sidecar["max_seq_length"]),
            dimension=int(sidecar["dimension"]),
        )
    except Exception as exc:  # noqa: BLE001 - a file ONNX Runtime cannot load is rebuilt
        return None, f"ONNX Runtime could not load it ({type(exc).__name__}: {exc})"
    return encoder, None


@contextlib.contextmanager
def _exclusive(path: Path):
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def package_version(package: str) -> str | None:
    """The installed version of `package`, None when it is not installed."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
