"""Fine-tuning jobs on any OpenAI-compatible API: upload, create, follow, register.

    job, entry = launch(client, Path("train.jsonl"), model="gpt-4o-mini-2024-07-18")
    job = client.fine_tuning.jobs.retrieve(job.id)
    events = new_events(client, job.id, seen)

Uploaded files are waited for (the provider processes them before a job may use
them); a job creation refused with "file not ready" is retried a few times.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openai

from deskbot.core import messages
from deskbot.core.errors import ProviderError
from deskbot.tune.provider import base_of, is_not_ready, translate
from deskbot.tune.registry import Entry, now_iso

TERMINAL = ("succeeded", "failed", "cancelled")
Sleep = Callable[[float], None]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Waiting:
    """How long to wait for uploads and how often to ask."""

    file_timeout: float = 300.0
    interval: float = 5.0
    create_retries: int = 5
    sleep: Sleep = time.sleep


def upload(client, path: Path) -> str:
    """Upload a JSONL file for fine-tuning; returns the provider's file id."""
    try:
        created = client.files.create(file=(path.name, path.read_bytes()), purpose="fine-tune")
    except openai.APIError as exc:
        raise translate(exc, client, action=f"upload {path.name}") from None
    return created.id


def wait_processed(client, file_id: str, name: str, waiting: Waiting) -> None:
    """Poll the file until the provider has processed it (bounded by file_timeout)."""
    started = time.monotonic()
    while True:
        try:
            file = client.files.retrieve(file_id)
        except openai.APIError as exc:
            raise translate(exc, client, action=f"check {name}", file_id=file_id) from None
        status = getattr(file, "status", "processed") or "processed"
        if status == "processed":
            return
        if status in ("error", "failed", "deleted"):
            detail = getattr(file, "status_details", None) or status
            raise ProviderError(
                messages.TUNE_FILE_FAILED.format(name=name, file_id=file_id, detail=detail)
            )
        waited = time.monotonic() - started
        if waited >= waiting.file_timeout:
            raise ProviderError(
                messages.TUNE_FILE_PROCESSING.format(file_id=file_id, seconds=waited)
            )
        waiting.sleep(waiting.interval)


def method_for(kind: str, hyperparameters: dict) -> dict:
    """The `method` argument: supervised for chat files, dpo for preference files."""
    method_type = "dpo" if kind == "dpo" else "supervised"
    return {"type": method_type, method_type: {"hyperparameters": dict(hyperparameters)}}


def create_job(client, params: dict, waiting: Waiting):
    """jobs.create with a bounded retry while the provider says a file is not ready."""
    for attempt in range(waiting.create_retries + 1):
        try:
            return client.fine_tuning.jobs.create(**params)
        except openai.APIError as exc:
            if is_not_ready(exc) and attempt < waiting.create_retries:
                waiting.sleep(waiting.interval)
                continue
            raise translate(
                exc,
                client,
                action="create the fine-tuning job",
                model=params["model"],
                file_id=params["training_file"],
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def launch(
    client,
    train: Path,
    *,
    model: str,
    val: Path | None = None,
    kind: str = "chat",
    hyperparameters: dict | None = None,
    suffix: str | None = None,
    seed: int | None = None,
    waiting: Waiting | None = None,
):
    """Upload the files, create the job; returns (job, registry entry to record)."""
    waiting = waiting or Waiting()
    hyper = {k: v for k, v in (hyperparameters or {}).items() if v is not None}
    train_id = upload(client, train)
    val_id = upload(client, val) if val else None
    wait_processed(client, train_id, train.name, waiting)
    if val_id and val:
        wait_processed(client, val_id, val.name, waiting)
    params: dict = {"model": model, "training_file": train_id, "method": method_for(kind, hyper)}
    if val_id:
        params["validation_file"] = val_id
    if suffix:
        params["suffix"] = suffix
    if seed is not None:
        params["seed"] = seed
    job = create_job(client, params, waiting)
    entry = Entry(
        job_id=job.id,
        base_model=model,
        training_file=str(train),
        training_sha256=sha256_of(train),
        training_file_id=train_id,
        validation_file=str(val or ""),
        validation_sha256=sha256_of(val) if val else "",
        validation_file_id=val_id or "",
        method=params["method"]["type"],
        hyperparameters=hyper,
        suffix=suffix or "",
        base_url=base_of(client),
        launched_at=now_iso(),
        status=job.status,
    )
    return job, entry


def retrieve(client, job_id: str):
    try:
        return client.fine_tuning.jobs.retrieve(job_id)
    except openai.APIError as exc:
        raise translate(exc, client, action=f"read job {job_id}", job_id=job_id) from None


def new_events(client, job_id: str, seen: set[str], limit: int = 100) -> list:
    """Events not shown yet, oldest first."""
    try:
        page = client.fine_tuning.jobs.list_events(job_id, limit=limit)
    except openai.APIError as exc:
        raise translate(exc, client, action=f"read events of {job_id}", job_id=job_id) from None
    fresh = [e for e in reversed(list(page.data)) if e.id not in seen]
    seen.update(e.id for e in fresh)
    return fresh


def hyperparameters_of(job) -> dict:
    """The hyperparameters the provider reports (method first, then the legacy field)."""
    method = getattr(job, "method", None)
    for source in (
        getattr(getattr(method, getattr(method, "type", "") or "", None), "hyperparameters", None),
        getattr(job, "hyperparameters", None),
    ):
        if source is not None:
            values = source.model_dump(exclude_none=True)
            if values:
                return values
    return {}


def entry_for_success(client, job, known: Entry | None) -> Entry:
    """The registry entry for a succeeded job (from launch's record when there is one)."""
    entry = known or Entry(
        job_id=job.id,
        base_model=job.model,
        training_file="",
        training_sha256=_remote_sha256(client, job.training_file),
        training_file_id=job.training_file or "",
        validation_file_id=job.validation_file or "",
        method=getattr(getattr(job, "method", None), "type", None) or "supervised",
        base_url=base_of(client),
    )
    entry.model = job.fine_tuned_model or ""
    entry.status = job.status
    entry.hyperparameters = hyperparameters_of(job) or entry.hyperparameters
    entry.finished_at = now_iso()
    return entry


def _remote_sha256(client, file_id: str | None) -> str:
    """Hash of a training file launched elsewhere, read back from the provider ("" if not)."""
    if not file_id:
        return ""
    try:
        return hashlib.sha256(client.files.content(file_id).read()).hexdigest()
    except openai.APIError:
        return ""
