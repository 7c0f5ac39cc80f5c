"""Follow-up questions -> standalone retrieval queries.

"and on Mac?" after "How do I connect to the VPN?" retrieves nothing useful on
its own. With a model, a short rewrite call resolves it; without one, the key
terms of the previous user question are put in front of the follow-up. A question
in another language than the wiki's is translated in that same call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot import prompts
from bot.llm import ChatModel, Completion
from bot.terms import key_terms
from deskbot.core.conversations import Turn

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 300


def previous_question(history: Sequence[Turn]) -> str:
    return next((t.text for t in reversed(history) if t.role == "user" and t.text.strip()), "")


def heuristic_query(question: str, history: Sequence[Turn], max_terms: int = 8) -> str:
    """The previous user question's key terms (those not already asked) + the question."""
    previous = previous_question(history)
    if not previous:
        return question
    asked = set(key_terms(question))
    carried = [t for t in key_terms(previous) if t not in asked][:max_terms]
    return " ".join([*carried, question.strip()]) if carried else question


def clean_query(text: str) -> str:
    """First line of a model's rewrite, without quotes or a 'Query:' label."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if line.lower().startswith(("query:", "search query:")):
        line = line.split(":", 1)[1].strip()
    return line.strip("\"'“”` ")[:MAX_QUERY_CHARS]


def model_query(
    model: ChatModel, question: str, history: Sequence[Turn], wiki_language: str | None = None
) -> tuple[str, Completion]:
    """Ask the model for a standalone query (in `wiki_language` when given: the question
    is in another one); raises ModelError like any call."""
    completion = model.complete(
        prompts.rewrite_messages(question, history, wiki_language), max_tokens=80, temperature=0.0
    )
    return clean_query(completion.text), completion
