"""One writer of an answer's row: the Answerer's write is never repeated by a transport."""

from __future__ import annotations

import sqlite3
import time

from bot.answer import Answerer
from bot.conversation.records import record_vote, remember_answer
from bot.store import Store
from tests.bot.conftest import ListRetriever

VPN = "How do I connect to the VPN?"


def test_a_failed_write_is_not_tried_again_by_the_transport(tmp_path, caplog):
    db = tmp_path / "deskbot.sqlite3"
    Store(db).close()
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    store = Store(db, busy_timeout=0.3)
    answer = Answerer(ListRetriever(), store=store).answer(VPN)  # extractive: no model
    assert answer.recorded and answer.answer_id is not None  # written once, by the Answerer
    other.execute("BEGIN IMMEDIATE")  # the store is locked from here on
    locked = Answerer(ListRetriever(), store=store).answer(VPN)
    assert locked.recorded and locked.answer_id is None
    started = time.monotonic()
    assert remember_answer(store, locked, channel="C1", user="U1", where="ts") is None
    assert time.monotonic() - started < 0.3  # no second wait on the lock
    other.execute("ROLLBACK")
    assert store.feedback_counts()["answers"] == 1
    assert caplog.text.count("could not record the answer") == 1
    store.close()
    other.close()


def test_an_answerer_without_a_store_is_recorded_by_the_transport(store):
    answer = Answerer(ListRetriever()).answer("Which bands play at the summer party?")
    assert not answer.recorded and not answer.covered
    answer_id = remember_answer(store, answer, channel="C1", user="U1", where="ts")
    assert answer_id is not None
    assert store.question_of(answer_id) == answer.question
    assert [u.question for u in store.unanswered()] == [answer.question]
    assert remember_answer(store, answer, channel="C1", user="U1", where="ts") == answer_id
    assert store.feedback_counts()["answers"] == 1  # asked twice, written once


def test_a_vote_on_something_that_is_no_answer_id_is_not_recorded(store):
    assert not record_vote(store, "", "U1", 1)
    assert not record_vote(store, "not-a-number", "U1", -1)
    assert store.feedback_counts()["up"] == 0
