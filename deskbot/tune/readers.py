"""Read past support conversations from ticket exports (shared by `tune` and `sim`).

    problems: list[Problem] = []
    for conversation in read_conversations([Path("tickets.json")], problems=problems):
        ...
    for p in problems:
        print(p)                       # tickets.json:57: ticket has no comments list

Supported inputs, chosen by what the path is:
- a folder: a Slack export (users.json, channels.json, one folder per channel of
  YYYY-MM-DD.json day files), or one channel folder of it. Threads whose replies
  come from `agent_ids` (user ids, or names from users.json) become conversations.
- `.csv`: question/answer pairs, columns `question`, `answer`, optional `url`.
- `.json`: a Zendesk export, `{"tickets": [...]}` (optionally with sideloaded
  `"users"` for roles) or a bare list of tickets, each with its `comments`.
- `.jsonl` / `.ndjson` (or `.json` holding one object per line): one record per line,
  each a Zendesk ticket (with `comments`, or `{"ticket": {...}, "comments": [...]}`),
  a question/answer pair (`question`, `answer`, `url`), or a chat example (`messages`).

A bad record never stops the read: it is reported as a `Problem` (file and line)
and skipped. Without a `problems` list, problems are logged as warnings. Files are
read within limits (inputfiles.py): JSONL and CSV line by line, one record at most
1 MB, a whole JSON document at most 200 MB; bytes that are not UTF-8 are a problem
naming the file and line like any other.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from deskbot.core.conversations import Conversation, Turn
from deskbot.tune.inputfiles import (
    MAX_DOCUMENT_BYTES,
    MAX_RECORD_BYTES,
    first_line_is_object,
    read_document,
    record_too_large,
    text_lines,
)

log = logging.getLogger(__name__)

_URL = re.compile(r"https?://[^\s<>()\"'|\]]+")


@dataclass(frozen=True)
class Problem:
    """A record that could not be used: where it is and why."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


class Problems:
    """Collects problems into a caller's list, or logs them."""

    def __init__(self, sink: list[Problem] | None) -> None:
        self.sink = sink

    def add(self, file: Path | str, line: int | None, message: str) -> None:
        problem = Problem(str(file), line, message)
        if self.sink is None:
            log.warning("%s", problem)
        else:
            self.sink.append(problem)


def first_url(text: str) -> str:
    match = _URL.search(text or "")
    return match.group(0).rstrip(".,;:!?") if match else ""


def html_to_text(html: str) -> str:
    """Plain text of a small HTML fragment (comment bodies), links kept as their URL."""
    text = re.sub(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>(.*?)</a>", r"\2 (\1)", html, flags=re.I | re.S)
    text = re.sub(r"<br\s*/?>|</li>", "\n", text, flags=re.I)
    text = re.sub(r"</p>|</div>", "\n\n", text, flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return unescape(re.sub(r"\n[ \t]*\n\s*", "\n\n", text)).strip()


def conversation(
    cid: str, origin: str, turns: Sequence[Turn], meta: dict | None = None, url: str = ""
) -> Conversation:
    """A Conversation whose linked_url defaults to the first URL an agent wrote."""
    if not url:
        url = next((u for t in turns if t.role == "assistant" and (u := first_url(t.text))), "")
    return Conversation(id=cid, origin=origin, turns=tuple(turns), linked_url=url, meta=meta or {})


def read_conversations(
    paths: Sequence[Path],
    *,
    agent_ids: Sequence[str] = (),
    problems: list[Problem] | None = None,
) -> Iterator[Conversation]:
    """Conversations from every path, in order; bad records go to `problems` and are skipped."""
    sink = Problems(problems)
    for path in map(Path, paths):
        yield from within_limit(_read_path(path, agent_ids, sink), sink)


def _read_path(path: Path, agent_ids: Sequence[str], sink: Problems) -> Iterator[Conversation]:
    from deskbot.tune import pairs, slack_export

    if not path.exists():
        sink.add(path, None, "no such file or folder")
    elif path.is_dir():
        yield from slack_export.read_export(path, agent_ids, sink)
    elif path.suffix.lower() == ".csv":
        yield from pairs.read_csv(path, sink)
    elif path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        yield from _read_json(path, agent_ids, sink)
    else:
        sink.add(path, None, "unknown input: expected a Slack export folder, .csv, .json or .jsonl")


def within_limit(conversations: Iterator[Conversation], sink: Problems) -> Iterator[Conversation]:
    """Conversations whose text fits in one record (a long ticket or thread is skipped)."""
    for found in conversations:
        size = sum(len(turn.text) for turn in found.turns)
        if size <= MAX_RECORD_BYTES:
            yield found
        else:
            file, _, line = found.origin.rpartition(":")
            problem = record_too_large(size) + "; skipped"
            if line.isdigit():
                sink.add(file, int(line), problem)
            else:
                sink.add(found.origin, None, problem)


def _read_json(path: Path, agent_ids: Sequence[str], sink: Problems) -> Iterator[Conversation]:
    from deskbot.tune import pairs, zendesk

    big = path.stat().st_size > MAX_DOCUMENT_BYTES
    if path.suffix.lower() == ".json" and not (big and first_line_is_object(path)):
        text = read_document(path, sink)
        if text is None:
            return
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            if "Extra data" not in exc.msg:  # one object per line is JSONL with a .json name
                sink.add(path, exc.lineno, f"not valid JSON: {exc.msg}")
                return
        else:
            yield from zendesk.read_document(path, text, document, agent_ids, sink)
            return
        del text
    yield from pairs.read_jsonl(path, text_lines(path, sink), agent_ids, sink)
