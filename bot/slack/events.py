"""Events API listeners: @mentions in channels, direct messages, thread follow-ups.

Messages in the app's Messages tab (assistant threads) are taken by the
Assistant middleware first (bot/slack/assistant.py); what reaches `message`
here is a top-level DM or a channel message.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.access import channel_allowed, channel_type, ignorable
from bot.slack.answering import Ask, ask_from_event, start_answer
from bot.slack.deliver import post_text
from bot.slack.deps import Deps
from bot.slack.mrkdwn import mentions
from deskbot.core import messages

log = logging.getLogger(__name__)

# The Events API subscriptions (manifest.yml) the listeners need by default, and the ones
# thread replies without an @mention (ANSWER_THREAD_FOLLOWUPS=true) add, one per kind of
# conversation: public and private channels, group DMs. Their *:history scopes are granted
# anyway, for reading threads with conversations.replies.
EVENTS = (
    "app_mention",
    "message.im",
    "assistant_thread_started",
    "assistant_thread_context_changed",
)
FOLLOWUP_EVENTS = ("message.channels", "message.groups", "message.mpim")


def register(app: App, deps: Deps) -> None:
    def on_mention(event: dict, client: WebClient, context: BoltContext) -> None:
        handle_app_mention(event, client, context, deps)

    def on_message(event: dict, client: WebClient, context: BoltContext) -> None:
        handle_message(event, client, context, deps)

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def handle_app_mention(event: dict, client: WebClient, context: BoltContext, deps: Deps) -> None:
    """@deskbot in a channel (or a thread): answer in the thread."""
    if ignorable(event, context.bot_user_id):
        return
    ask = ask_from_event(event, context.team_id, context.bot_user_id)
    if not channel_allowed(deps.settings, ask.place.channel, ask.place.kind):
        log.info("mention in %s ignored: channel not in ALLOWED_CHANNEL_IDS", ask.place.channel)
        client.chat_postEphemeral(
            channel=ask.place.channel,
            user=ask.place.user,
            thread_ts=event.get("thread_ts"),
            text=messages.SLACK_CHANNEL_NOT_ALLOWED,
        )
        return
    answer_once(client, ask, deps, context.bot_user_id)


def handle_message(event: dict, client: WebClient, context: BoltContext, deps: Deps) -> None:
    """A DM, or (with ANSWER_THREAD_FOLLOWUPS) a reply in a thread the bot answered."""
    if ignorable(event, context.bot_user_id):
        return
    kind = channel_type(event)
    if kind == "im":
        ask = ask_from_event(event, context.team_id, context.bot_user_id)
        if not deps.settings.allow_dms:
            post_text(client, ask.place, messages.SLACK_DMS_OFF)
            return
        answer_once(client, ask, deps, context.bot_user_id)
    elif is_followup(event, deps, context.bot_user_id):
        ask = ask_from_event(event, context.team_id, context.bot_user_id)
        if channel_allowed(deps.settings, ask.place.channel, kind):
            answer_once(client, ask, deps, context.bot_user_id)


def is_followup(event: dict, deps: Deps, bot_user_id: str | None) -> bool:
    """A thread reply without an @mention (that one comes as app_mention) in a bot thread."""
    thread_ts = event.get("thread_ts")
    return bool(
        deps.settings.answer_thread_followups
        and thread_ts
        and thread_ts != event.get("ts")
        and not mentions(event.get("text") or "", bot_user_id)
        and f"{event.get('channel')}:{thread_ts}" in deps.threads
    )


def answer_once(client: WebClient, ask: Ask, deps: Deps, bot_user_id: str | None) -> None:
    """Each message is answered once, however many events announce it."""
    if not deps.seen.first(f"message:{ask.place.channel}:{ask.ts}"):
        return
    if not ask.question:
        post_text(client, ask.place, messages.SLACK_EMPTY_QUESTION)
        return
    start_answer(client, ask, deps, bot_user_id)
