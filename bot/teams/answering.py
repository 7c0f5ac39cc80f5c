"""One question, answered: first sign, answer, records, or an apology.

The request that brought the question has already returned 202 (its turn runs
afterwards). Here the turn shows its first sign, computes the answer on the
answer pool (the Answerer, the store and the index are synchronous), delivers
it, and writes down the turn (thread history) and which bot message carried
which answer (feedback).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.conversation.access import sources_for
from bot.conversation.apology import apology
from bot.conversation.records import remember_answer
from bot.teams.activities import CHANNEL, Ask
from bot.teams.cards import build_answer_card
from bot.teams.deliver import Reply
from bot.teams.deps import TeamsDeps
from bot.teams.text import safe_markdown, sources_of
from deskbot.core import messages
from deskbot.core.conversations import Turn

log = logging.getLogger(__name__)

HISTORY_TURNS = 12  # the most recent turns handed to the Answerer
CHAT_WINDOW = timedelta(minutes=30)  # chats have no threads: only recent turns are history


@dataclass
class Computed:
    answer: Any  # bot.answer.Answer
    answer_id: int | None


async def answer_turn(context, deps: TeamsDeps, ask: Ask) -> None:
    reply = Reply(context, ask.kind)
    reply.start()
    loop = asyncio.get_running_loop()
    try:
        done = await loop.run_in_executor(deps.jobs, compute, deps, ask)
        sources = sources_of(done.answer)
        card = build_answer_card(
            sources,
            answer_id=done.answer_id,
            covered=getattr(done.answer, "covered", True),
            notice=getattr(done.answer, "notice", None),
            escalation=deps.settings.escalation_text,
        )
        text = safe_markdown(done.answer.text) or messages.TEAMS_ANSWER_FALLBACK
        await reply.answer(text, sources, card)
    except Exception:
        log.exception("answering %s in %s failed", ask.activity_id, ask.conversation)
        await apologize(reply, deps)
        return
    finally:
        reply.close()
    if done.answer_id is not None and reply.message_ids:
        await asyncio.to_thread(link_messages, deps, ask, reply.message_ids, done.answer_id)


def compute(deps: TeamsDeps, ask: Ask) -> Computed:
    """History, answer, and its records (runs on the answer pool)."""
    history = read_history(deps, ask)
    answer = deps.answerer.answer(
        ask.question,
        history,
        sources=sources_for(deps.settings, ask.place),
        channel=ask.place,
        user=ask.user,
    )
    answer_id = remember_answer(
        deps.store, answer, channel=ask.place, user=ask.user, where=ask.activity_id
    )
    try:
        deps.store.add_turns(ask.conversation, ask.question, answer.text, answer_id=answer_id)
    except Exception:  # history is a convenience; the answer still goes out
        log.exception("could not keep the turn of %s", ask.conversation)
    return Computed(answer, answer_id)


def read_history(deps: TeamsDeps, ask: Ask) -> list[Turn]:
    """Earlier turns of this thread (channels), or of the last half hour (chats)."""
    within = None if ask.kind == CHANNEL else CHAT_WINDOW
    try:
        return deps.store.recent_turns(ask.conversation, limit=HISTORY_TURNS, within=within)
    except Exception:
        log.exception("could not read the history of %s; answering without it", ask.conversation)
        return []


def link_messages(deps: TeamsDeps, ask: Ask, message_ids: list[str], answer_id: int) -> None:
    try:
        for message_id in dict.fromkeys(message_ids):
            deps.store.link_message(ask.conversation, message_id, answer_id)
    except Exception:
        log.exception("could not link the answer to %s to its message", ask.activity_id)


async def apologize(reply: Reply, deps: TeamsDeps) -> None:
    try:
        await reply.text(apology(deps.settings.escalation_text))
    except Exception:
        log.exception("could not post the apology")
