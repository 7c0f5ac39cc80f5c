"""The SQLite store: answers, feedback (one vote per user), unanswered questions."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.answer import Answerer
from bot.llm import ChatModel
from bot.store import Store
from deskbot.core.errors import DeskbotError
from tests.bot.conftest import ListRetriever


def _answer(store: Store, question: str = "vpn?") -> int:
    return store.record_answer(
        question, "Connect [1].", grounded=True, model="m", urls=["https://wiki.example/vpn"]
    )


def test_feedback_counts_and_vote_changes(store):
    first, second = _answer(store), _answer(store, "printer?")
    assert second == first + 1
    store.record_feedback(first, "U1", 1)
    store.record_feedback(first, "U2", -1)
    store.record_feedback(second, "U1", -1)
    assert store.feedback_counts() == {"up": 1, "down": 2, "answers": 2}
    store.record_feedback(first, "U2", 1)  # U2 changes their mind: replaced, not added
    assert store.feedback_counts() == {"up": 2, "down": 1, "answers": 2}


def test_negative_feedback_lists_the_answer(store):
    answer_id = _answer(store)
    store.record_feedback(answer_id, "U9", -1)
    (row,) = store.negative_feedback()
    assert (row.answer_id, row.question, row.answer, row.user) == (
        answer_id,
        "vpn?",
        "Connect [1].",
        "U9",
    )
    assert row.urls == ("https://wiki.example/vpn",)


@pytest.mark.parametrize("value", [0, 2, -2, "up"])
def test_feedback_value_must_be_plus_or_minus_one(store, value):
    with pytest.raises(ValueError, match="must be \\+1 or -1"):
        store.record_feedback(_answer(store), "U1", value)


def test_feedback_on_unknown_answer_is_a_clear_error(store):
    with pytest.raises(DeskbotError, match="No answer with id 99"):
        store.record_feedback(99, "U1", 1)


def test_unanswered_since(store):
    store.record_unanswered("cafeteria menu?", channel="C1")
    store.record_unanswered("parking?")
    assert [(u.question, u.channel) for u in store.unanswered()] == [
        ("cafeteria menu?", "C1"),
        ("parking?", None),
    ]
    future = datetime.now(UTC) + timedelta(hours=1)
    assert store.unanswered(since=future) == []
    assert len(store.unanswered(since=datetime.now(UTC) - timedelta(hours=1))) == 2
    assert len(store.unanswered(since="2000-01-01")) == 2


def test_file_store_survives_reopen_and_threads(tmp_path):
    path = tmp_path / "nested" / "deskbot.sqlite3"
    store = Store(path)
    threads = [
        threading.Thread(target=lambda: [_answer(store) for _ in range(20)]) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert Store(path).feedback_counts()["answers"] == 80


def test_unusable_path_is_a_clear_error(tmp_path):
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(DeskbotError, match="cannot be opened"):
        Store(tmp_path / "dir.sqlite3")


# --- a locked database (another process holds the write lock) ----------------------------


@pytest.fixture
def lock_holder(tmp_path):
    """A second real connection to the same database that can hold its write lock."""
    db = tmp_path / "deskbot.sqlite3"
    Store(db).close()  # create the file and schema
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    yield db, other
    other.close()


def test_store_locked_longer_than_the_timeout_costs_no_answer(lock_holder, fake_chat, caplog):
    db, other = lock_holder
    store = Store(db, busy_timeout=0.3)
    model = ChatModel(fake_chat.client(), "gpt-4.1-mini")
    answerer = Answerer(ListRetriever(), model=model, store=store)
    fake_chat.push("Click **Connect** and sign in with Okta [1].")
    other.execute("BEGIN IMMEDIATE")  # holds the write lock for the whole answer
    started = time.monotonic()
    answer = answerer.answer("How do I connect to the VPN?")
    waited = time.monotonic() - started
    other.execute("ROLLBACK")
    assert answer.text.startswith("Click **Connect**") and answer.grounded
    assert answer.answer_id is None  # delivered without an id (no feedback buttons)
    assert waited >= 0.3  # it did wait for the lock first
    assert "could not record the answer" in caplog.text and "database is locked" in caplog.text
    assert store.feedback_counts()["answers"] == 0
    store.close()


def test_store_locked_shorter_than_the_timeout_records_after_waiting(lock_holder):
    db, other = lock_holder
    store = Store(db, busy_timeout=10)
    answerer = Answerer(ListRetriever(), store=store)  # extractive: no model
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO unanswered (asked_at, question) VALUES ('2000-01-01T00:00:00+00:00', 'held')"
    )
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    answer = answerer.answer("Which bands play at the summer party?")  # not covered: two writes
    waited = time.monotonic() - started
    release.join()
    assert waited >= 0.4 and answer.answer_id is not None
    assert [u.question for u in store.unanswered()] == ["held", answer.question]
    assert store.feedback_counts()["answers"] == 1
    store.close()
