"""The benchmark's questions: covered ones per corpus, and off-topic ones.

Each line of data/<corpus>.jsonl is {"id", "question", "pages", "split"}: `pages` are the
file names (doc_ids) of every page that answers it; data/offtopic.jsonl lines are
{"id", "question", "near_miss", "split"} — questions staff might ask that no corpus
answers (`near_miss`: IT-flavoured ones that share words with the corpora).

`split` was fixed when the questions were written, from the id alone
(sha256(id)[0] even: "tune", odd: "test"): tune on "tune", report on "test".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SPLITS = ("tune", "test", "all")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    split: str
    pages: tuple[str, ...] = ()
    near_miss: bool = False
    extra: dict = field(default_factory=dict, compare=False)


def load(path: Path, split: str = "all") -> list[Question]:
    """Questions of one file, limited to one split ("all": both)."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = Question(
                id=row["id"],
                question=row["question"],
                split=row["split"],
                pages=tuple(row.get("pages") or ()),
                near_miss=bool(row.get("near_miss")),
                extra={k: v for k, v in row.items() if k not in Question.__dataclass_fields__},
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}, line {number}: not a question record ({exc})") from None
        if split in ("all", question.split):
            questions.append(question)
    return questions


def covered(corpus: str, split: str = "all") -> list[Question]:
    return load(DATA / f"{corpus}.jsonl", split)


def off_topic(split: str = "all") -> list[Question]:
    return load(DATA / "offtopic.jsonl", split)
