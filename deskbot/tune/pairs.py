"""Question/answer pairs (CSV or JSONL) and line-per-record JSONL exports."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from deskbot.core.conversations import Conversation, Turn
from deskbot.tune.readers import Problems, conversation

QUESTION, ANSWER, URL = "question", "answer", "url"


def pair(
    path: Path,
    line: int,
    question: object,
    answer: object,
    url: object,
    sink: Problems,
    record_id: object = None,
):
    """A two-turn conversation, or None (with a problem) when a side is missing.

    Its id is the record's own `id` when it has one (stable when lines move), else file:line.
    """
    missing = [
        name
        for name, value in ((QUESTION, question), (ANSWER, answer))
        if not isinstance(value, str) or not value.strip()
    ]
    if missing:
        sink.add(path, line, f"empty or missing {' and '.join(missing)}")
        return None
    turns = (Turn("user", question.strip()), Turn("assistant", answer.strip()))
    link = url.strip() if isinstance(url, str) else ""
    key = str(record_id).strip() if record_id not in (None, "") else str(line)
    return conversation(f"{path.stem}:{key}", f"{path}:{line}", turns, {"source": "pairs"}, link)


def read_csv(path: Path, sink: Problems) -> Iterator[Conversation]:
    """Rows of a CSV with a header naming `question`, `answer` and optionally `url`."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        sink.add(path, None, f"cannot be read ({exc.strerror})")
        return
    with handle:
        reader = csv.DictReader(handle)
        fields = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
        if QUESTION not in fields or ANSWER not in fields:
            sink.add(path, 1, "the header must name the columns question and answer (url optional)")
            return
        start = 2
        try:
            for row in reader:
                get = lambda key, row=row: row.get(fields.get(key, ""))  # noqa: E731
                if found := pair(path, start, get(QUESTION), get(ANSWER), get(URL), sink):
                    yield found
                start = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as exc:
            sink.add(path, reader.line_num, f"unreadable CSV ({exc}); the rest is skipped")


def _chat(path: Path, line: int, record: Mapping, sink: Problems) -> Conversation | None:
    messages = record.get("messages")
    if not isinstance(messages, list):
        sink.add(path, line, "messages is not a list")
        return None
    turns, system = [], ""
    for m in messages:
        if not isinstance(m, Mapping) or not isinstance(m.get("content"), str):
            continue
        if m.get("role") in ("user", "assistant"):
            turns.append(Turn(m["role"], m["content"]))
        elif m.get("role") == "system":
            system = m["content"]
    meta = {"source": "chat", "system": system} if system else {"source": "chat"}
    return conversation(f"{path.stem}:{line}", f"{path}:{line}", turns, meta)


def read_jsonl(
    path: Path, text: str, agent_ids: Sequence[str], sink: Problems
) -> Iterator[Conversation]:
    """One record per line: a Zendesk ticket, a question/answer pair or a chat example."""
    from deskbot.tune import zendesk

    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            sink.add(path, line, f"not valid JSON: {exc.msg}")
            continue
        if not isinstance(record, Mapping):
            sink.add(path, line, "not a JSON object")
            continue
        if QUESTION in record or ANSWER in record:
            found = pair(
                path,
                line,
                record.get(QUESTION),
                record.get(ANSWER),
                record.get(URL),
                sink,
                record.get("id"),
            )
        elif "messages" in record:
            found = _chat(path, line, record, sink)
        else:
            found = zendesk.read_ticket(record, path, line, agent_ids, {}, sink)
        if found:
            yield found
