"""The optional tone pass, its fact-preservation check, and style-from-examples.

A tone model (an `ft:` model, an Azure deployment, a self-hosted model…)
restyles a grounded answer. The restyled text is used only when every citation
marker, link, number, e-mail address, code span and quoted name of the original
survived unchanged (and no citation was invented); otherwise the original is
sent and the reason logged.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from bot import prompts
from bot.citations import markers_in
from bot.llm import ChatModel, Completion
from deskbot.core import messages
from deskbot.core.errors import ConfigError, ModelError

log = logging.getLogger(__name__)

CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
QUOTED = re.compile(r"\"([^\"\n]{1,80})\"|“([^”\n]{1,80})”")
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


def facts(text: str) -> dict[str, list[str]]:
    """The literal facts of `text` that a restyle must keep, by kind."""
    found: dict[str, list[str]] = {"code": CODE.findall(text)}
    rest = CODE.sub(" ", text)
    found["link"] = [u.rstrip(".,;:!?") for u in URL.findall(rest)]
    rest = URL.sub(" ", rest)
    found["e-mail"] = [e.rstrip(".") for e in EMAIL.findall(rest)]
    rest = EMAIL.sub(" ", rest)
    found["citation"] = markers_in(rest)
    found["quoted name"] = [a or b for a, b in QUOTED.findall(rest)]
    rest = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", rest)
    found["number"] = NUMBER.findall(rest)
    return found


def check_facts(original: str, restyled: str) -> list[str]:
    """What the restyle lost or invented; an empty list means it is safe to send."""
    before, after = facts(original), facts(restyled)
    problems = []
    for kind, items in before.items():
        kept = set(after[kind])
        for item in dict.fromkeys(items):
            if item not in kept:
                problems.append(f"{kind} {item} missing")
    for marker in dict.fromkeys(after["citation"]):
        if marker not in set(before["citation"]):
            problems.append(f"citation {marker} added")
    return problems


@dataclass
class ToneResult:
    text: str  # what to send: the restyled text, or the original when rejected
    restyled: bool
    problems: list[str] = field(default_factory=list)
    completion: Completion | None = None


class Restyler:
    """Runs the tone model and keeps its output only when the facts survived."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model

    def restyle(self, question: str, text: str) -> ToneResult:
        try:
            completion = self.model.complete(prompts.tone_messages(question, text))
        except ModelError as exc:
            log.warning("tone pass skipped, sending the original answer: %s", exc)
            return ToneResult(text, False, [str(exc)])
        problems = check_facts(text, completion.text)
        if problems:
            log.info("tone pass rejected, sending the original answer: %s", "; ".join(problems))
            return ToneResult(text, False, problems, completion)
        return ToneResult(completion.text, True, [], completion)


class QueryEncoder(Protocol):
    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


def _example(record: object) -> tuple[str, str] | None:
    """(key to compare with the question, reply) from one JSONL record."""
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("messages"), list):
        turns = [m for m in record["messages"] if isinstance(m, dict)]
        user = next((m.get("content") for m in turns if m.get("role") == "user"), None)
        reply = next(
            (m.get("content") for m in reversed(turns) if m.get("role") == "assistant"), None
        )
    else:
        reply = next((record[k] for k in ("reply", "answer", "text") if record.get(k)), None)
        user = record.get("question") or record.get("prompt")
    if not isinstance(reply, str) or not reply.strip():
        return None
    return (user if isinstance(user, str) and user.strip() else reply), reply.strip()


def read_examples(path: Path) -> list[tuple[str, str]]:
    """Past agent replies from JSONL: {"reply"/"answer"/"text", "question"?} or chat `messages`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(
            messages.TONE_EXAMPLES_UNREADABLE.format(path=path, error=exc.strerror)
        ) from None
    examples = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            example = _example(json.loads(line))
        except json.JSONDecodeError as exc:
            detail = f"invalid JSON: {exc.msg}"
            raise ConfigError(
                messages.TONE_EXAMPLES_BAD.format(path=path, line=number, detail=detail)
            ) from None
        if example is None:
            detail = "no reply, answer, text or assistant message"
            raise ConfigError(
                messages.TONE_EXAMPLES_BAD.format(path=path, line=number, detail=detail)
            )
        examples.append(example)
    if not examples:
        raise ConfigError(messages.TONE_EXAMPLES_EMPTY.format(path=path))
    return examples


class StyleExamples:
    """The past replies most similar to a question, by embedding similarity."""

    def __init__(self, examples: Sequence[tuple[str, str]], embedder: QueryEncoder) -> None:
        self.keys = [key for key, _ in examples]
        self.replies = [reply for _, reply in examples]
        self.embedder = embedder
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path, embedder: QueryEncoder) -> StyleExamples:
        return cls(read_examples(path), embedder)

    def most_similar(self, question: str, k: int = 3) -> list[str]:
        with self._lock:
            if self._vectors is None:
                self._vectors = np.asarray(
                    self.embedder.encode_queries(self.keys), dtype=np.float32
                )
        query = np.asarray(self.embedder.encode_queries([question]), dtype=np.float32)[0]
        scores = self._vectors @ query
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.replies[i] for i in order]
