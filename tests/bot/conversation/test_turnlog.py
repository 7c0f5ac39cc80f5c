"""Thread history kept in the store (Teams): turns per conversation, capped; message links; comments."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation import turnlog
from bot.conversation.records import record_vote, remember_answer
from bot.store import Store
from deskbot.core.conversations import Turn

THREAD = "19:c@thread.tacv2;messageid=1"


def _answer(store: Store, question: str = "vpn?") -> int:
    return store.record_answer(question, "Connect [1].", grounded=True)


def test_turns_come_back_oldest_first_per_conversation(store):
    store.add_turns(THREAD, "How do I connect?", "Open the app [1].", answer_id=1)
    store.add_turns(THREAD, "and on a Mac?", "From the menu bar [1].")
    store.add_turns("a:other", "printer?", "Tap your badge.")
    assert store.recent_turns(THREAD) == [
        Turn("user", "How do I connect?"),
        Turn("assistant", "Open the app [1]."),
        Turn("user", "and on a Mac?"),
        Turn("assistant", "From the menu bar [1]."),
    ]
    assert store.recent_turns(THREAD, limit=2)[0] == Turn("user", "and on a Mac?")
    assert store.has_turns(THREAD) and not store.has_turns("a:nobody")


def test_turns_are_capped_in_number_and_length(store, monkeypatch):
    monkeypatch.setattr(turnlog, "TURNS_KEPT", 4)
    for n in range(5):
        store.add_turns(THREAD, f"q{n}" + "x" * 5000, f"a{n}")
    turns = store.recent_turns(THREAD, limit=100)
    assert [t.text[:2] for t in turns] == ["q3", "a3", "q4", "a4"]
    assert len(turns[0].text) == turnlog.TURN_CHARS


def test_a_window_keeps_only_recent_turns(store):
    store.add_turns("a:chat", "old question", "old answer")
    store._run("UPDATE conversation_turns SET at = '2020-01-01T00:00:00+00:00'")
    store.add_turns("a:chat", "new question", "new answer")
    recent = store.recent_turns("a:chat", within=timedelta(minutes=30))
    assert [t.text for t in recent] == ["new question", "new answer"]
    assert len(store.recent_turns("a:chat")) == 2  # older than TURN_DAYS: dropped on write


def test_message_links_and_feedback_comments(store):
    answer_id = _answer(store)
    store.link_message(THREAD, "1700000000002", answer_id)
    assert store.answer_for_message(THREAD, "1700000000002") == answer_id
    assert store.answer_for_message("elsewhere", "1700000000002") is None
    assert record_vote(store, answer_id, "aad-1", -1, "  outdated page ")
    assert store.feedback_comment(answer_id, "aad-1") == "outdated page"
    assert not record_vote(store, 99, "aad-1", 1)  # the answer is gone: not recorded


def test_turns_survive_reopening_the_store(tmp_path):
    path = tmp_path / "deskbot.sqlite3"
    first = Store(path)
    first.add_turns(THREAD, "q", "a")
    first.close()
    again = Store(path)
    assert [t.text for t in again.recent_turns(THREAD)] == ["q", "a"]
    again.close()


class _Stored:
    answer_id = 5


def test_remember_answer_keeps_the_answerers_own_id(store):
    assert remember_answer(store, _Stored(), channel="C1", user="U1", where="ts") == 5
