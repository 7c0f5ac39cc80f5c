"""The SQLite store: answers, feedback (one vote per user), unanswered questions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Store
from deskbot.core.errors import DeskbotError


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
