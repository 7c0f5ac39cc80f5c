"""Routing what Teams sends: messages, "Ask a human" submits, feedback invokes.

Message turns run after their request was acknowledged and deduplicated
(bot/teams/intake.py), so handlers may take their time; feedback invokes run
inside their request (Teams waits for the invoke response). Without resource-specific consent (RSC) Teams
delivers channel and group-chat messages only when they @mention the bot; with
it (TEAMS_RSC_FOLLOWUPS, opt-in) every message arrives, and deskbot answers the
mention-less ones only in channel threads it has answered in before. Personal
chats follow TEAMS_ALLOW_DMS (unset: ALLOW_DMS, as in Slack); when off, a
question there gets a note pointing to a help channel, and only an admin's
`reindex` still runs.
"""

from __future__ import annotations

import asyncio
import logging

from bot.conversation.access import listed
from bot.teams import actions
from bot.teams.activities import (
    CHANNEL,
    PERSONAL,
    ask_from,
    from_bot_itself,
    is_thread,
    kind_of,
    mentions_bot,
)
from bot.teams.answering import answer_turn
from bot.teams.cards import ESCALATE_VERB
from bot.teams.commands import command_of, handle_command
from bot.teams.deps import TeamsDeps
from deskbot.core import messages

log = logging.getLogger(__name__)


def register(app, deps: TeamsDeps) -> None:
    async def on_escalate(context, state, value) -> None:
        await actions.handle_escalate(context, deps, value)

    async def on_feedback(context, state) -> None:
        await actions.handle_feedback(context, deps)

    async def on_message(context, state) -> None:
        await handle_message(context, deps)

    app.adaptive_card.action_submit(ESCALATE_VERB)(on_escalate)
    app.invoke(actions.FEEDBACK_INVOKE)(on_feedback)
    app.message()(on_message)


async def handle_message(context, deps: TeamsDeps) -> None:
    """A question, a command, or nothing for the bot."""
    activity = context.activity
    if from_bot_itself(activity) or not await addressed(activity, deps):
        return
    ask = ask_from(activity)
    if ask.kind != PERSONAL and not listed(deps.settings.teams_allowed_channel_ids, ask.place):
        log.info("message in %s ignored: not in TEAMS_ALLOWED_CHANNEL_IDS", ask.place)
        await context.send_activity(messages.TEAMS_CHANNEL_NOT_ALLOWED)
        return
    command = command_of(ask.question)
    if ask.kind == PERSONAL and not personal_chat_open(deps, command):
        log.info("personal chat with %s not answered: TEAMS_ALLOW_DMS/ALLOW_DMS off", ask.user)
        await context.send_activity(messages.TEAMS_DMS_OFF)
        return
    if command is not None:
        await handle_command(context, deps, ask, command)
    elif not ask.question:
        await context.send_activity(messages.TEAMS_HELP)
    else:
        await answer_turn(context, deps, ask)


def personal_chat_open(deps: TeamsDeps, command: tuple[str, str] | None) -> bool:
    """Personal chats follow TEAMS_ALLOW_DMS (else ALLOW_DMS); admins' `reindex` works anyway."""
    return deps.settings.teams_personal_chats or (command is not None and command[0] == "reindex")


async def addressed(activity, deps: TeamsDeps) -> bool:
    """Personal chats always; elsewhere an @mention, or (RSC) a reply in a thread we answered."""
    kind = kind_of(activity)
    if kind == PERSONAL or mentions_bot(activity):
        return True
    conversation = activity.conversation.id
    if not (deps.settings.teams_rsc_followups and kind == CHANNEL and is_thread(conversation)):
        return False
    return bool(activity.text) and await asyncio.to_thread(deps.store.has_turns, conversation)
