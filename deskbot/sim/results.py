"""The simulator's results file: one JSON line per replayed question, next to the report.

The file is what makes a run resumable. Each line is written and flushed as soon
as its question is done, keyed by the conversation id plus a hash of the
question, so a rerun skips what is already there and an interrupted run goes on
where it stopped. Lines carry the mode they were answered in (`extractive` or
`model:NAME`): results of another mode stay in the file but are not reused.

A line cut short by a kill is reported and ignored; the next write starts on a
fresh line, so nothing already stored is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

log = logging.getLogger(__name__)


def result_key(conversation_id: str, question: str) -> str:
    """Stable key of one question: the conversation id and a hash of its text."""
    digest = hashlib.sha1(" ".join(question.split()).encode("utf-8")).hexdigest()[:12]
    return f"{conversation_id}#{digest}"


def results_path(report: Path) -> Path:
    """`report.html` -> `report.results.jsonl`, in the same folder."""
    return report.with_name(report.stem + ".results.jsonl")


@dataclass
class Record:
    """What the simulator measured for one question."""

    key: str
    id: str
    origin: str  # "file:line" of the question in the input
    mode: str  # "extractive" or "model:NAME"
    question: str
    agent_answer: str = ""
    linked_url: str = ""
    answer: str = ""
    covered: bool = False
    grounded: bool = False
    citations: list[dict] = field(default_factory=list)  # n, title, url, doc_id, source
    citation_hit: bool | None = None  # None: the agent linked no article
    similarity: float | None = None  # None: no agent answer, or the bot did not answer
    space: str = ""  # wiki area the question belongs to
    top_score: float = 0.0  # cosine of the best passage found
    latency_s: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: float = 0.0
    model: str | None = None
    notice: str | None = None
    fallback: bool = False  # the model failed and the wiki was quoted instead (redone on resume)
    # extractive runs: what the configured model would have used and cost (sim/cost.py)
    estimated_usage: dict[str, int] = field(default_factory=dict)
    estimated_cost_usd: float = 0.0

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Record:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class ResultsFile:
    """Append-only JSONL of Records; thread-safe appends, each line flushed."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def done(self, mode: str) -> set[str]:
        """Keys answered in `mode` that need no redoing (fallback answers are tried again)."""
        return {key for key, record in self.read(mode).items() if not record.fallback}

    def read(self, mode: str | None = None) -> dict[str, Record]:
        """Stored records by key (the last line of a key wins); only `mode`'s when given."""
        records: dict[str, Record] = {}
        for line_no, data in self._lines():
            try:
                record = Record.from_json(data)
            except TypeError as exc:
                log.warning("%s:%d: not a simulator result (%s); ignored", self.path, line_no, exc)
                continue
            if mode is None or record.mode == mode:
                records[record.key] = record
        return records

    def modes(self) -> dict[str, int]:
        """How many stored results each mode has."""
        counts: dict[str, int] = {}
        for _, data in self._lines():
            mode = str(data.get("mode", ""))
            counts[mode] = counts.get(mode, 0) + 1
        return counts

    def _lines(self) -> Iterator[tuple[int, dict]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line_no, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw)
                except json.JSONDecodeError:
                    log.warning(
                        "%s:%d: incomplete result line (an interrupted write?); it will be redone",
                        self.path,
                        line_no,
                    )
                    continue
                if isinstance(data, dict) and data.get("key"):
                    yield line_no, data

    def append(self, record: Record) -> None:
        line = (json.dumps(record.as_json(), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as handle:
                if _ends_mid_line(handle):
                    line = b"\n" + line
                handle.write(line)
                handle.flush()

    def reset(self) -> None:
        """Forget every stored result (start over)."""
        with self._lock:
            self.path.unlink(missing_ok=True)


def _ends_mid_line(handle) -> bool:
    """True when the file's last byte is not a newline (a line cut short by a kill)."""
    size = handle.seek(0, 2)
    if size == 0:
        return False
    handle.seek(size - 1)
    return handle.read(1) != b"\n"
