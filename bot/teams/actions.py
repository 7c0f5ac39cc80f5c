"""Clicks under answers: Teams' own 👍/👎 (with optional text), and "Ask a human".

A feedback click arrives as an invoke `message/submitAction` whose `replyToId`
is the bot message clicked; the store maps it to the answer. "Ask a human" is
an Adaptive Card `Action.Submit`, a message activity with `value` and no text.
"""

from __future__ import annotations

import asyncio
import json
import logging

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ConversationParameters,
    InvokeResponse,
)
from microsoft_agents.hosting.core.authorization import AuthenticationConstants

from bot.conversation.records import record_vote
from bot.teams.activities import PERSONAL, as_dict, kind_of, user_of
from bot.teams.cards import escalation_answer_id
from bot.teams.deps import TeamsDeps
from bot.teams.escalation import escalation_post
from deskbot.core import messages

log = logging.getLogger(__name__)

FEEDBACK_INVOKE = "message/submitAction"
VOTES = {"like": 1, "dislike": -1}


def feedback_text(raw: object) -> str:
    """The optional text of a vote: Teams sends `{"feedbackText": "…"}`, often as a string."""
    if isinstance(raw, str):
        text = raw
        try:
            raw = json.loads(text)
        except ValueError:
            return text
    return str(as_dict(raw).get("feedbackText") or "")


async def handle_feedback(context, deps: TeamsDeps) -> None:
    """Store the vote with the answer the clicked message carried; always answer 200."""
    activity = context.activity
    value = as_dict(activity.value)
    action = as_dict(value.get("actionValue"))
    vote = VOTES.get(str(action.get("reaction") or ""))
    if value.get("actionName") == "feedback" and vote is not None and activity.reply_to_id:
        user = user_of(activity)
        comment = feedback_text(action.get("feedback"))
        await asyncio.to_thread(
            store_vote, deps, activity.conversation.id, activity.reply_to_id, user, vote, comment
        )
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200))
    )


def store_vote(
    deps: TeamsDeps, conversation: str, message_id: str, user: str, vote: int, comment: str
) -> bool:
    answer_id = deps.store.answer_for_message(conversation, message_id)
    if answer_id is None:
        log.warning("feedback on message %s: no answer known for it; not recorded", message_id)
        return False
    return record_vote(deps.store, answer_id, user, vote, comment)


async def handle_escalate(context, deps: TeamsDeps, value: object) -> None:
    """Hand the question to a human; tell the clicker where it went."""
    await context.send_activity(await escalate(context, deps, escalation_answer_id(value)))


async def escalate(context, deps: TeamsDeps, answer_id: int | None) -> str:
    """Post in TEAMS_ESCALATION_CHANNEL; returns what to tell the asker."""
    settings = deps.settings
    escalation = settings.escalation_text
    if not settings.teams_escalation_channel:
        return messages.TEAMS_ESCALATION_NOWHERE.format(escalation=escalation)
    question = None
    if answer_id is not None:
        question = await asyncio.to_thread(deps.store.question_of, answer_id)
    if not question:
        return messages.TEAMS_ESCALATION_GONE.format(escalation=escalation)
    try:
        await post_in_channel(context, deps, escalation_post(context.activity, question))
    except Exception:
        log.exception("escalation to %s failed", settings.teams_escalation_channel)
        return messages.TEAMS_ESCALATION_FAILED.format(escalation=escalation)
    if kind_of(context.activity) == PERSONAL:
        return messages.TEAMS_ESCALATION_DONE_PRIVATE
    return messages.TEAMS_ESCALATION_DONE


async def post_in_channel(context, deps: TeamsDeps, post: Activity) -> None:
    """A new thread in the escalation channel (POST v3/conversations through the SDK)."""
    activity = context.activity
    parameters = ConversationParameters(
        is_group=True,
        bot=activity.recipient,
        channel_data={"channel": {"id": deps.settings.teams_escalation_channel}},
        activity=post,
        **({"tenant_id": tenant} if (tenant := activity.conversation.tenant_id) else {}),
    )

    async def created(_turn) -> None:
        return None

    await deps.adapter.create_conversation(
        deps.settings.teams_app_id,
        "msteams",
        activity.service_url,
        AuthenticationConstants.AGENTS_SDK_SCOPE,
        parameters,
        created,
    )
