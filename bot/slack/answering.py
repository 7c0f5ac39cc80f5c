"""One question in one thread: a visible sign at once, then the answer, or an apology.

`start_answer` runs on Bolt's listener thread and only does quick things (an
:eyes: reaction, or the assistant status); the answer itself runs in the
`Deps.jobs` pool, so Slack gets its ack in milliseconds even when the model is slow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.conversation.access import sources_for
from bot.conversation.records import remember_answer
from bot.slack.access import channel_type
from bot.slack.blocks import build_answer_footer
from bot.slack.deliver import Place, deliver_answer, post_text
from bot.slack.deps import Deps
from bot.slack.history import read_history
from bot.slack.mrkdwn import escape, fill, from_slack
from deskbot.core import messages

log = logging.getLogger(__name__)

WORKING_REACTION = "eyes"
TITLE_CHARS = 60


@dataclass(frozen=True)
class Ask:
    place: Place
    ts: str  # the question's own message
    question: str  # plain text, the bot's mention removed
    assistant: bool = False  # an assistant (Messages tab) thread: status, not a reaction


def ask_from_event(event: dict, team: str | None, bot_user_id: str | None, **kw) -> Ask:
    place = Place(
        channel=event["channel"],
        thread_ts=event.get("thread_ts") or event["ts"],
        user=event.get("user") or "",
        team=event.get("team") or team,
        kind=channel_type(event),
    )
    return Ask(place, event["ts"], from_slack(event.get("text") or "", bot_user_id), **kw)


def start_answer(client: WebClient, ask: Ask, deps: Deps, bot_user_id: str | None) -> None:
    """Show that the bot is on it, then answer in the background."""
    reacted = show_working(client, ask)
    deps.jobs.submit(answer_in_thread, client, ask, deps, bot_user_id, reacted)


def show_working(client: WebClient, ask: Ask) -> bool:
    """The assistant status in a Messages-tab thread, else (or if that fails) :eyes:.

    Returns whether it reacted (so the reaction is taken down afterwards)."""
    try:
        if ask.assistant:
            client.assistant_threads_setStatus(
                channel_id=ask.place.channel,
                thread_ts=ask.place.thread_ts,
                status=messages.SLACK_WORKING,
                loading_messages=list(messages.SLACK_LOADING),
            )
            return False
    except (SlackApiError, SlackClientError) as exc:  # a DM thread that is no assistant thread
        log.info("no assistant status in %s (%s); reacting instead", ask.place.channel, exc)
    try:
        client.reactions_add(channel=ask.place.channel, timestamp=ask.ts, name=WORKING_REACTION)
        return True
    except (SlackApiError, SlackClientError) as exc:  # the answer matters more than the sign
        log.warning("could not show the working sign in %s: %s", ask.place.channel, exc)
        return False


def answer_in_thread(
    client: WebClient, ask: Ask, deps: Deps, bot_user_id: str | None, reacted: bool = False
) -> None:
    """Read the thread, answer, post; any failure is logged and apologised for."""
    failed = False
    try:
        history = []
        if ask.ts != ask.place.thread_ts:
            history = read_history(
                client, ask.place.channel, ask.place.thread_ts, ask.ts, bot_user_id
            )
        if ask.assistant and not any(t.role == "user" for t in history):
            set_title(client, ask)
        sources = sources_for(deps.settings, ask.place.channel)
        answer = deps.answerer.answer(
            ask.question, history, sources=sources, channel=ask.place.channel, user=ask.place.user
        )
        footer = build_answer_footer(
            answer,
            answer_id=remember(deps, ask, answer),
            question_ts=ask.ts,
            escalation=deps.settings.escalation_text,
        )
        deliver_answer(client, ask.place, answer, footer, deps.streams)
        deps.threads.first(f"{ask.place.channel}:{ask.place.thread_ts}")
    except Exception:
        failed = True
        log.exception(
            "answering %s in %s (thread %s) failed", ask.ts, ask.place.channel, ask.place.thread_ts
        )
        apologize(client, ask.place, deps.settings.escalation_text)
    finally:
        stop_working(client, ask, failed=failed, reacted=reacted)


def set_title(client: WebClient, ask: Ask) -> None:
    """Name a new assistant thread after its first question (best effort)."""
    try:
        client.assistant_threads_setTitle(
            channel_id=ask.place.channel,
            thread_ts=ask.place.thread_ts,
            title=escape(ask.question[:TITLE_CHARS]),
        )
    except (SlackApiError, SlackClientError) as exc:
        log.debug("could not set the thread title: %s", exc)


def remember(deps: Deps, ask: Ask, answer) -> int | None:
    """The answer's row in the store (what the feedback buttons carry)."""
    return remember_answer(
        deps.store, answer, channel=ask.place.channel, user=ask.place.user, where=ask.ts
    )


def apologize(client: WebClient, place: Place, escalation: str) -> None:
    try:
        post_text(client, place, fill(messages.SLACK_APOLOGY, escalation=escalation))
    except Exception:
        log.exception("could not post the apology in %s", place.channel)


def stop_working(client: WebClient, ask: Ask, *, failed: bool, reacted: bool) -> None:
    """Take the sign down (a reply clears an assistant status by itself)."""
    try:
        if ask.assistant and failed:
            client.assistant_threads_setStatus(
                channel_id=ask.place.channel, thread_ts=ask.place.thread_ts, status=""
            )
        if reacted:
            client.reactions_remove(
                channel=ask.place.channel, timestamp=ask.ts, name=WORKING_REACTION
            )
    except (SlackApiError, SlackClientError) as exc:
        log.debug("could not clear the working sign: %s", exc)
