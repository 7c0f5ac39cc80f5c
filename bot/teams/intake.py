"""Acknowledge first: a verified message activity gets 202 before its turn runs.

Teams delivers an activity again when the bot has not acknowledged it within
about 15 seconds, and the SDK would run the whole turn (answer included) inside
the request. So a message activity is checked (shape, redelivery) here, answered
202 at once, and its SDK turn runs afterwards on the turn loop
(bot/teams/turns.py). A second delivery of the same activity (conversation id +
activity id) is acknowledged and dropped. Invokes (feedback clicks) need their
answer in the response, so the request waits for their (short) turn.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import pydantic
from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes, DeliveryModes

from bot.teams.app import TeamsBot

log = logging.getLogger(__name__)


async def take(body: dict, bot: TeamsBot, identity) -> web.StreamResponse:
    """The response to one verified POST /api/messages (its JSON `body`, already parsed)."""
    try:
        activity = Activity.model_validate(body)
    except pydantic.ValidationError as exc:
        log.warning("malformed activity refused: %d problem(s)", exc.error_count())
        return web.Response(status=400, text="malformed activity")
    if not activity.type or not activity.conversation or not activity.conversation.id:
        return web.Response(status=400, text="activity without type or conversation")
    activity.request_id = str(uuid.uuid4())
    if (
        activity.type == ActivityTypes.invoke
        or activity.delivery_mode == DeliveryModes.expect_replies
    ):
        return await answer_now(bot, identity, activity)
    if activity.id and not bot.deps.seen.first(f"{activity.conversation.id}:{activity.id}"):
        log.info("redelivery of %s in %s dropped", activity.id, activity.conversation.id)
        return web.Response(status=202)
    turn = bot.adapter.process_activity(identity, activity, bot.agent.on_turn)
    bot.turns.submit(turn, f"{activity.type} {activity.id}")
    return web.Response(status=202)


async def answer_now(bot: TeamsBot, identity, activity: Activity) -> web.StreamResponse:
    """Run the turn and answer with its invoke response (what the SDK's adapter would send)."""

    def turn():
        return bot.adapter.process_activity(identity, activity, bot.agent.on_turn)

    result = await asyncio.wrap_future(bot.turns.call(turn))
    status = (result.status if result else None) or 501
    if result is None or result.body is None:
        return web.Response(status=status)
    return web.json_response(result.body, status=status)
