"""The local registry of tone models: what was trained, from what, and how.

One JSON file, by default `<DESKBOT_DATA_DIR>/tone_models.json` (the data folder
already holds deskbot's other local state; `--registry` picks another). `launch`
records a job with its base model, the sha256 of the training file and the
hyperparameters; `status` adds the model id when the job succeeds; `check` reads
it back. Writes go through a temporary file, so an interrupted write loses nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from deskbot.core.errors import TuneError

FILENAME = "tone_models.json"
VERSION = 1


def default_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILENAME


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class Entry:
    job_id: str
    base_model: str
    training_file: str  # the local path it was launched from ("" when unknown)
    training_sha256: str
    training_file_id: str = ""
    validation_file: str = ""
    validation_sha256: str = ""
    validation_file_id: str = ""
    method: str = "supervised"
    hyperparameters: dict = field(default_factory=dict)
    suffix: str = ""
    base_url: str = ""
    launched_at: str = ""
    status: str = "launched"
    model: str = ""  # the tuned model id, once the job succeeded
    finished_at: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Entry:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class Registry:
    def __init__(self, path: Path, entries: list[Entry] | None = None) -> None:
        self.path = Path(path)
        self.entries = entries or []

    @classmethod
    def load(cls, path: Path) -> Registry:
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = [Entry.from_dict(e) for e in data.get("models", [])]
        except json.JSONDecodeError as exc:
            raise TuneError(
                f"{path}:{exc.lineno}: the tone-model registry is not valid JSON"
            ) from None
        except (AttributeError, TypeError) as exc:
            raise TuneError(f"{path}: unexpected registry layout ({exc})") from None
        return cls(path, entries)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": VERSION, "models": [asdict(e) for e in self.entries]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tone_models.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, self.path)

    def find(self, job_id: str) -> Entry | None:
        return next((e for e in self.entries if e.job_id == job_id), None)

    def add(self, entry: Entry) -> None:
        self.entries = [e for e in self.entries if e.job_id != entry.job_id] + [entry]

    def models(self) -> list[Entry]:
        """Entries whose job produced a model."""
        return [e for e in self.entries if e.model]
