"""Question/answer pairs (CSV or JSONL) and line-per-record JSONL exports."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from deskbot.core.conversations import Conversation, Turn
from deskbot.tune.inputfiles import MAX_RECORD_BYTES, raw_lines, record_too_large, utf8_error
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
    asked, answered = _text(question), _text(answer)
    if not asked or not answered:
        missing = [name for name, value in ((QUESTION, asked), (ANSWER, answered)) if not value]
        sink.add(path, line, f"empty or missing {' and '.join(missing)}")
        return None
    turns = (Turn("user", asked), Turn("assistant", answered))
    link = _text(url)
    key = str(record_id).strip() if record_id not in (None, "") else str(line)
    return conversation(f"{path.stem}:{key}", f"{path}:{line}", turns, {"source": "pairs"}, link)


def _text(value: object) -> str:
    """A field's text, stripped; "" when it is missing or not a string."""
    return value.strip() if isinstance(value, str) else ""


class _LineTooLong(Exception):
    def __init__(self, line: int, length: int) -> None:
        super().__init__(line, length)
        self.line, self.length = line, length


class _CsvLines:
    """The lines of a CSV for csv.reader, each at most one record long; lines that are not
    UTF-8 are decoded losslessly and remembered, so the rows holding them can be skipped."""

    def __init__(self, handle: BinaryIO) -> None:
        self._lines = raw_lines(handle)
        self.bad: dict[int, str] = {}  # line number -> why it is not UTF-8

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        number, raw, length = next(self._lines)
        if length > MAX_RECORD_BYTES:
            raise _LineTooLong(number, length)
        if problem := utf8_error(raw):
            self.bad[number] = problem
        return raw.decode("utf-8", "surrogateescape")

    def first_bad(self, first: int, last: int) -> tuple[int, str] | None:
        return next(((n, self.bad[n]) for n in range(first, last + 1) if n in self.bad), None)


def read_csv(path: Path, sink: Problems) -> Iterator[Conversation]:
    """Rows of a CSV with a header naming `question`, `answer` and optionally `url`."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        sink.add(path, None, f"cannot be read ({exc.strerror})")
        return
    with handle:
        lines = _CsvLines(handle)
        reader = csv.DictReader(lines)
        try:
            yield from _rows(path, reader, lines, sink)
        except csv.Error as exc:
            sink.add(path, reader.line_num, f"unreadable CSV ({exc}); the rest is skipped")
        except _LineTooLong as exc:
            problem = record_too_large(exc.length)
            sink.add(path, exc.line, f"{problem}; the rest of the file is skipped")


def _rows(path: Path, reader: csv.DictReader, lines: _CsvLines, sink: Problems):
    fields = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    if bad := lines.first_bad(1, reader.line_num):
        sink.add(path, bad[0], f"{bad[1]} in the header; the file is skipped")
        return
    if QUESTION not in fields or ANSWER not in fields:
        sink.add(path, 1, "the header must name the columns question and answer (url optional)")
        return
    start = reader.line_num + 1
    for row in reader:
        get = lambda key, row=row: row.get(fields.get(key, ""))  # noqa: E731
        if bad := lines.first_bad(start, reader.line_num):
            sink.add(path, bad[0], f"{bad[1]}; skipped")
        elif found := pair(path, start, get(QUESTION), get(ANSWER), get(URL), sink):
            yield found
        start = reader.line_num + 1


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
    path: Path, lines: Iterable[tuple[int, str]], agent_ids: Sequence[str], sink: Problems
) -> Iterator[Conversation]:
    """One record per line: a Zendesk ticket, a question/answer pair or a chat example.

    `lines` are (line number, text), e.g. from inputfiles.text_lines (which streams the file
    and reports lines that are too long or not UTF-8)."""
    from deskbot.tune import zendesk

    for line, raw in lines:
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
