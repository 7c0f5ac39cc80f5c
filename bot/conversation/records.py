"""What a chat front end writes down about an answer: its row in the store, and votes.

`record_answer` is the one writer of an answer's row (and of the unanswered question
when the wiki did not cover it). The Answerer calls it when it has a store and marks the
answer `recorded`, whether the write succeeded or not; `remember_answer` (what the
transports call for the id their feedback buttons carry) writes only for an Answerer
without a store, so an answer is never written twice and a locked store is waited on once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from deskbot.core.errors import DeskbotError

log = logging.getLogger(__name__)


class AnswerStore(Protocol):
    """What the transports write and read about answers: `bot.store.Store` (mypy checks
    that it matches, where `deskbot serve` hands its Store to each transport)."""

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
    ) -> int: ...

    def record_unanswered(self, question: str, channel: str | None = None) -> None: ...

    def record_feedback(self, answer_id: int, user: str, value: int) -> None: ...

    def record_feedback_comment(self, answer_id: int, user: str, comment: str) -> None: ...

    def question_of(self, answer_id: int) -> str | None: ...


def record_answer(
    store: AnswerStore, answer: Any, *, channel: str | None, user: str | None, where: str = ""
) -> int | None:
    """Write the answer's row; a store failure is logged, never raised, so the answer is
    still delivered (without an id: no feedback buttons)."""
    try:
        if not getattr(answer, "covered", True):
            store.record_unanswered(answer.question, channel=channel)
        return store.record_answer(
            answer.question,
            answer.text,
            grounded=answer.grounded,
            model=answer.model,
            urls=[c.url for c in answer.citations],
            channel=channel,
            user=user,
            cost_usd=answer.cost_usd,
            total_tokens=int(answer.usage.get("total_tokens", 0)),
        )
    except Exception as exc:  # noqa: BLE001 - a locked or full store must not cost the answer
        place = f" to {where}" if where else ""
        log.error("could not record the answer%s in the store, sending it anyway: %s", place, exc)
        return None


def remember_answer(
    store: AnswerStore, answer: Any, *, channel: str, user: str, where: str
) -> int | None:
    """The answer's row in the store (what the feedback buttons carry); None if it has none.

    An answer the Answerer already offered to its store is not written again, even when
    that write failed."""
    if getattr(answer, "recorded", False) or getattr(answer, "answer_id", None) is not None:
        return answer.answer_id
    answer.answer_id = record_answer(store, answer, channel=channel, user=user, where=where)
    answer.recorded = True
    return answer.answer_id


def record_vote(
    store: AnswerStore, answer_id: int | str, user: str, value: int, comment: str = ""
) -> bool:
    """+1/-1 from `user` (a second vote replaces the first), with an optional comment.

    Returns False when the answer is gone or the id is not one (the vote is not recorded)."""
    try:
        store.record_feedback(int(answer_id), user, value)
        if comment.strip():
            store.record_feedback_comment(int(answer_id), user, comment.strip())
        return True
    except (DeskbotError, ValueError) as exc:
        log.warning("feedback on %r not recorded: %s", answer_id, exc)
        return False
