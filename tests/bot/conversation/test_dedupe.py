"""Seen: each delivery key is taken once within its time to live."""

from __future__ import annotations

from bot.conversation.dedupe import Seen


def test_seen_reports_first_sight_once_and_forgets_after_ttl(monkeypatch):
    seen = Seen(ttl=10)
    assert seen.first("a") and not seen.first("a") and "a" in seen
    clock = [1000.0]
    monkeypatch.setattr("bot.conversation.dedupe.time.monotonic", lambda: clock[0])
    seen = Seen(ttl=10)
    seen.first("a")
    clock[0] += 11
    assert seen.first("a")


def test_seen_keeps_at_most_its_limit():
    seen = Seen(limit=3)
    for key in "abcde":
        seen.first(key)
    assert "a" not in seen and "e" in seen
