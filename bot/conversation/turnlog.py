"""Thread history kept by deskbot itself, for platforms whose bot API cannot read a thread.

Teams delivers a bot only the messages addressed to it and offers no "read this
thread" call, so the questions and answers of each conversation (a channel
thread, a group chat, a personal chat) are kept here, capped, keyed by the
platform's conversation id. The same tables map a bot message id to the answer
it carried (feedback buttons report the message, not the answer) and keep the
optional text that comes with a 👍/👎.

`TurnLog` is mixed into `bot.store.Store` and uses its connection and lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from deskbot.core.conversations import Turn

TURNLOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation_turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    answer_id INTEGER
);
CREATE INDEX IF NOT EXISTS conversation_turns_by_conversation
    ON conversation_turns(conversation, id);
CREATE INDEX IF NOT EXISTS conversation_turns_at ON conversation_turns(at);
CREATE TABLE IF NOT EXISTS answer_messages (
    conversation TEXT NOT NULL,
    message_id TEXT NOT NULL,
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    PRIMARY KEY (conversation, message_id)
);
CREATE TABLE IF NOT EXISTS feedback_comments (
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user TEXT NOT NULL,
    comment TEXT NOT NULL,
    given_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user)
);
"""

TURNS_KEPT = 20  # per conversation; older turns are dropped
TURN_CHARS = 4_000  # a longer question or answer is kept truncated
TURN_DAYS = 30  # turns older than this are dropped
COMMENT_CHARS = 2_000


def _stamp(when: datetime | None = None) -> str:
    return (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


class _Db(Protocol):
    def _run(self, sql: str, params: Sequence = ()): ...

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]: ...


class TurnLog:
    """Conversation turns, answer messages and feedback comments (methods of Store)."""

    def add_turns(
        self: _Db, conversation: str, question: str, answer: str, *, answer_id: int | None = None
    ) -> None:
        """Append a question and its answer; keep the newest TURNS_KEPT, none older than TURN_DAYS."""
        now = _stamp()
        for role, text in (("user", question), ("assistant", answer)):
            self._run(
                "INSERT INTO conversation_turns (conversation, role, text, at, answer_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (conversation, role, text[:TURN_CHARS], now, answer_id),
            )
        self._run(
            "DELETE FROM conversation_turns WHERE conversation = ? AND id NOT IN"
            " (SELECT id FROM conversation_turns WHERE conversation = ? ORDER BY id DESC LIMIT ?)",
            (conversation, conversation, TURNS_KEPT),
        )
        cutoff = _stamp(datetime.now(UTC) - timedelta(days=TURN_DAYS))
        self._run("DELETE FROM conversation_turns WHERE at < ?", (cutoff,))

    def recent_turns(
        self: _Db, conversation: str, *, limit: int = 12, within: timedelta | None = None
    ) -> list[Turn]:
        """The conversation's latest turns, oldest first (only those newer than `within`)."""
        since = _stamp(datetime.now(UTC) - within) if within else ""
        rows = self._rows(
            "SELECT role, text FROM conversation_turns WHERE conversation = ? AND at >= ?"
            " ORDER BY id DESC LIMIT ?",
            (conversation, since, limit),
        )
        return [Turn(role, text) for role, text in reversed(rows)]

    def has_turns(self: _Db, conversation: str) -> bool:
        rows = self._rows(
            "SELECT 1 FROM conversation_turns WHERE conversation = ? LIMIT 1", (conversation,)
        )
        return bool(rows)

    def link_message(self: _Db, conversation: str, message_id: str, answer_id: int) -> None:
        """Remember that bot message `message_id` carried answer `answer_id`."""
        self._run(
            "INSERT OR REPLACE INTO answer_messages (conversation, message_id, answer_id)"
            " VALUES (?, ?, ?)",
            (conversation, message_id, int(answer_id)),
        )

    def answer_for_message(self: _Db, conversation: str, message_id: str) -> int | None:
        rows = self._rows(
            "SELECT answer_id FROM answer_messages WHERE conversation = ? AND message_id = ?",
            (conversation, message_id),
        )
        return int(rows[0][0]) if rows else None

    def record_feedback_comment(self: _Db, answer_id: int, user: str, comment: str) -> None:
        """The text a user wrote with a vote; a later comment replaces it."""
        self._run(
            "INSERT INTO feedback_comments (answer_id, user, comment, given_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (answer_id, user) DO UPDATE SET"
            " comment = excluded.comment, given_at = excluded.given_at",
            (int(answer_id), user, comment[:COMMENT_CHARS], _stamp()),
        )

    def feedback_comment(self: _Db, answer_id: int, user: str) -> str | None:
        rows = self._rows(
            "SELECT comment FROM feedback_comments WHERE answer_id = ? AND user = ?",
            (int(answer_id), user),
        )
        return rows[0][0] if rows else None
