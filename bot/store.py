"""A small SQLite store: answers given, feedback on them, questions the wiki did not cover.

One connection per Store, shared across threads behind a lock (the Slack bot
answers in worker threads); WAL mode so `deskbot gaps` can read while the bot
writes, and a busy timeout so a write waits (up to BUSY_TIMEOUT) for another
process's write to finish instead of failing at once. `Store(":memory:")` keeps
everything in memory (tests, simulator runs).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.conversation.turnlog import TURNLOG_SCHEMA, TurnLog
from deskbot.core import messages
from deskbot.core.errors import DeskbotError

# Seconds a write waits for another connection's write lock. In WAL mode readers never
# block writers, so only another writer (a second process, a maintenance script) can hold
# it; the Answerer waits this long at most before sending the answer unrecorded.
BUSY_TIMEOUT = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    grounded INTEGER NOT NULL,
    model TEXT,
    urls TEXT NOT NULL DEFAULT '[]',
    channel TEXT,
    user TEXT,
    cost_usd REAL NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    given_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user)
);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    channel TEXT
);
CREATE INDEX IF NOT EXISTS unanswered_asked_at ON unanswered(asked_at);
"""


@dataclass(frozen=True)
class Unanswered:
    question: str
    channel: str | None
    asked_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class NegativeFeedback:
    answer_id: int
    question: str
    answer: str
    user: str
    given_at: str
    urls: tuple[str, ...]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(when: datetime | str | None) -> str | None:
    if when is None or isinstance(when, str):
        return when
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


class Store(TurnLog):
    def __init__(self, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                self.path, timeout=busy_timeout, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.executescript(SCHEMA)
            self._db.executescript(TURNLOG_SCHEMA)
        except sqlite3.Error as exc:
            raise DeskbotError(
                messages.STORE_CANNOT_OPEN.format(path=self.path, error=exc)
            ) from None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- writes ---------------------------------------------------------------------
    def record_answer(
        self,
        question: str,
        answer: str,
        *,
        grounded: bool,
        model: str | None = None,
        urls: Sequence[str] = (),
        channel: str | None = None,
        user: str | None = None,
        cost_usd: float = 0.0,
        total_tokens: int = 0,
    ) -> int:
        """Store one reply; returns its id (what feedback buttons carry)."""
        cursor = self._run(
            "INSERT INTO answers (asked_at, question, answer, grounded, model, urls, channel,"
            " user, cost_usd, total_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), question, answer, int(grounded), model, json.dumps(list(urls)),
             channel, user, cost_usd, total_tokens),
        )  # fmt: skip
        if cursor.lastrowid is None:  # sqlite3 sets it after every INSERT
            raise DeskbotError(messages.STORE_NOT_NUMBERED.format(path=self.path))
        return cursor.lastrowid

    def record_unanswered(self, question: str, channel: str | None = None) -> None:
        self._run(
            "INSERT INTO unanswered (asked_at, question, channel) VALUES (?, ?, ?)",
            (_now(), question, channel),
        )

    def record_feedback(self, answer_id: int, user: str, value: int) -> None:
        """+1 or -1 from `user` on answer `answer_id`; a second vote replaces the first."""
        if value not in (1, -1):
            raise ValueError(f"feedback value must be +1 or -1, got {value!r}")
        try:
            self._run(
                "INSERT INTO feedback (answer_id, user, value, given_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (answer_id, user) DO UPDATE SET value = excluded.value,"
                " given_at = excluded.given_at",
                (int(answer_id), user, value, _now()),
            )
        except sqlite3.IntegrityError:
            raise DeskbotError(
                messages.STORE_NO_ANSWER.format(answer_id=answer_id, path=self.path)
            ) from None

    # --- reads ----------------------------------------------------------------------
    def feedback_counts(self) -> dict[str, int]:
        """{"up": n, "down": m, "answers": total answers stored}."""
        up, down = self._rows(
            "SELECT COALESCE(SUM(value = 1), 0), COALESCE(SUM(value = -1), 0) FROM feedback"
        )[0]
        (answers,) = self._rows("SELECT COUNT(*) FROM answers")[0]
        return {"up": int(up), "down": int(down), "answers": int(answers)}

    def question_of(self, answer_id: int) -> str | None:
        """The question answer `answer_id` replied to (what "Ask a human" escalates)."""
        try:
            rows = self._rows("SELECT question FROM answers WHERE id = ?", (int(answer_id),))
        except sqlite3.Error as exc:
            raise DeskbotError(
                messages.STORE_CANNOT_READ.format(path=self.path, error=exc)
            ) from None
        return rows[0][0] if rows else None

    def unanswered(self, since: datetime | str | None = None) -> list[Unanswered]:
        """Questions the wiki did not cover, oldest first (since `since`, if given)."""
        rows = self._rows(
            "SELECT question, channel, asked_at FROM unanswered"
            " WHERE (? IS NULL OR asked_at >= ?) ORDER BY asked_at, id",
            (_iso(since), _iso(since)),
        )
        return [Unanswered(*row) for row in rows]

    def negative_feedback(self) -> list[NegativeFeedback]:
        """Answers someone voted down, newest vote first."""
        rows = self._rows(
            "SELECT a.id, a.question, a.answer, f.user, f.given_at, a.urls FROM feedback f"
            " JOIN answers a ON a.id = f.answer_id WHERE f.value = -1"
            " ORDER BY f.given_at DESC, a.id DESC"
        )
        return [
            NegativeFeedback(id_, q, text, user, at, tuple(json.loads(urls)))
            for id_, q, text, user, at, urls in rows
        ]
