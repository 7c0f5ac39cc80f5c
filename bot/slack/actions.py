"""Buttons under answers: 👍 / 👎 feedback and "Ask a human" escalation."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.conversation.records import AnswerStore, record_vote
from bot.slack.blocks import (
    ESCALATE,
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    build_escalation_message,
    parse_escalation,
)
from bot.slack.deps import Deps
from bot.slack.mrkdwn import escape, fill
from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import DeskbotError

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def on_up(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        handle_feedback(ack, body, action, client, deps, 1)

    def on_down(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        handle_feedback(ack, body, action, client, deps, -1)

    def on_escalate(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        handle_escalate(ack, body, action, client, deps)

    app.action(FEEDBACK_UP)(on_up)
    app.action(FEEDBACK_DOWN)(on_down)
    app.action(ESCALATE)(on_escalate)


def where_clicked(body: dict) -> tuple[str, str, str | None]:
    """(channel, user, thread_ts) of a button click on a message."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    thread_ts = container.get("thread_ts") or message.get("thread_ts")
    return channel, body["user"]["id"], thread_ts


def handle_feedback(
    ack: Ack, body: dict, action: dict, client: WebClient, deps: Deps, value: int
) -> None:
    """Store the vote (one per user and answer; a second click replaces it), thank ephemerally."""
    ack()
    channel, user, thread_ts = where_clicked(body)
    if record_vote(deps.store, action.get("value") or 0, user, value):
        text = messages.SLACK_FEEDBACK_THANKS if value > 0 else messages.SLACK_FEEDBACK_THANKS_DOWN
    else:
        text = messages.SLACK_FEEDBACK_GONE
    client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)


def handle_escalate(ack: Ack, body: dict, action: dict, client: WebClient, deps: Deps) -> None:
    """Hand the question to a human; tell the clicker where it went."""
    ack()
    channel, user, thread_ts = where_clicked(body)
    info = parse_escalation(action.get("value", ""))
    question = stored_question(deps.store, info["a"])
    text = escalate(client, deps.settings, channel, user, thread_ts, info["ts"], question)
    client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)


def stored_question(store: AnswerStore, answer_id: int | None) -> str:
    """The question behind an answer (buttons carry only its id), or a pointer to the thread."""
    try:
        question = store.question_of(answer_id) if answer_id is not None else None
    except DeskbotError as exc:  # a broken store must not stop the escalation
        log.warning("question of answer %s not found: %s", answer_id, exc)
        question = None
    return question or messages.SLACK_ESCALATION_IN_THREAD


def escalate(
    client: WebClient,
    settings: Settings,
    channel: str,
    user: str,
    thread_ts: str | None,
    question_ts: str,
    question: str,
) -> str:
    """Post to ESCALATION_CHANNEL (or tag ESCALATION_USERGROUP in the thread); the reply text."""
    if not settings.escalation_channel and not settings.escalation_usergroup:
        return fill(messages.SLACK_ESCALATION_NOWHERE, escalation=settings.escalation_text)
    target = settings.escalation_channel or channel
    try:
        permalink = _permalink(client, channel, question_ts or thread_ts)
        post = build_escalation_message(
            question, user=user, permalink=permalink, usergroup=settings.escalation_usergroup
        )
        client.chat_postMessage(
            channel=target,
            thread_ts=None if settings.escalation_channel else thread_ts,
            text=post.text,
            blocks=post.blocks,
        )
    except SlackApiError as exc:
        log.error("escalation to %s failed: %s", target, exc.response.get("error"))
        return fill(messages.SLACK_ESCALATION_FAILED, escalation=settings.escalation_text)
    if not settings.escalation_channel:
        where = messages.SLACK_ESCALATION_TEAM
    elif target[:1] in "CG" and target.isalnum():
        where = f"<#{target}>"
    else:
        where = escape(target)
    return messages.SLACK_ESCALATION_DONE.format(where=where)


def _permalink(client: WebClient, channel: str, ts: str | None) -> str | None:
    if not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        return None
