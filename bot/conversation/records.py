"""What a chat front end writes down about an answer: its row in the store, and votes.

The Answerer stores the answers it gives when it has a store; `remember_answer`
covers an Answerer without one, so feedback buttons always have an id to carry.
"""

from __future__ import annotations

import logging
from typing import Any

from deskbot.core.errors import DeskbotError

log = logging.getLogger(__name__)


def remember_answer(store, answer: Any, *, channel: str, user: str, where: str) -> int | None:
    """The answer's row in the store (what the feedback buttons carry); None if it cannot be."""
    if getattr(answer, "answer_id", None) is not None:  # the Answerer stored it already
        return answer.answer_id
    try:
        answer_id = store.record_answer(
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
        if not getattr(answer, "covered", True):
            store.record_unanswered(answer.question, channel=channel)
        return answer_id
    except Exception:  # a full disk must not cost the user the answer
        log.exception("could not store the answer to %s", where)
        return None


def record_vote(store, answer_id: int, user: str, value: int, comment: str = "") -> bool:
    """+1/-1 from `user` (a second vote replaces the first), with an optional comment.

    Returns False when the answer is gone (the vote is not recorded)."""
    try:
        store.record_feedback(int(answer_id), user, value)
        if comment.strip():
            store.record_feedback_comment(int(answer_id), user, comment.strip())
        return True
    except (DeskbotError, ValueError) as exc:
        log.warning("feedback on %r not recorded: %s", answer_id, exc)
        return False
