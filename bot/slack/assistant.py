"""The app's Messages tab (Slack's assistant/agent experience), through Bolt's `Assistant`.

Opening the tab starts a thread: the bot greets and offers suggested prompts.
Each message in the thread gets the status "Searching the wiki…" at once and an
answer that uses the thread so far as history.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import Assistant, BoltContext
from slack_bolt.context.assistant.thread_context import AssistantThreadContext
from slack_bolt.context.assistant.thread_context_store.store import AssistantThreadContextStore
from slack_sdk import WebClient

from bot.slack.access import ignorable
from bot.slack.answering import ask_from_event
from bot.slack.blocks import build_suggested_prompts
from bot.slack.deliver import Place, post_text
from bot.slack.deps import Deps
from bot.slack.events import answer_once
from deskbot.core import messages

log = logging.getLogger(__name__)


class MemoryContextStore(AssistantThreadContextStore):
    """Which channel the user was viewing, per thread; kept in memory, no Slack calls."""

    def __init__(self) -> None:
        self._contexts: dict[tuple[str, str], dict] = {}
        self._lock = threading.Lock()

    def save(self, *, channel_id: str, thread_ts: str, context: dict) -> None:
        with self._lock:
            self._contexts[(channel_id, thread_ts)] = dict(context)

    def find(self, *, channel_id: str, thread_ts: str) -> AssistantThreadContext | None:
        with self._lock:
            found = self._contexts.get((channel_id, thread_ts))
        return AssistantThreadContext(found) if found else None


def build_assistant(deps: Deps) -> Assistant:
    assistant = Assistant(thread_context_store=MemoryContextStore())

    def on_started(event: dict, client: WebClient, context: BoltContext) -> None:
        handle_thread_started(event, client, context, deps)

    def on_message(event: dict, client: WebClient, context: BoltContext) -> None:
        handle_assistant_message(event, client, context, deps)

    def on_context_changed(event: dict, save_thread_context) -> None:
        save_thread_context(event["assistant_thread"].get("context") or {})

    assistant.thread_started(on_started)
    assistant.user_message(on_message)
    assistant.thread_context_changed(on_context_changed)
    return assistant


def handle_thread_started(event: dict, client: WebClient, context: BoltContext, deps: Deps) -> None:
    """The user opened the Messages tab: greet and suggest prompts."""
    thread = event["assistant_thread"]
    place = Place(thread["channel_id"], thread["thread_ts"], thread.get("user_id", ""), None, "im")
    if not deps.settings.allow_dms:
        post_text(client, place, messages.SLACK_DMS_OFF)
        return
    post_text(client, place, messages.SLACK_GREETING)
    client.assistant_threads_setSuggestedPrompts(
        channel_id=place.channel,
        thread_ts=place.thread_ts,
        title=messages.SLACK_PROMPTS_TITLE,
        prompts=build_suggested_prompts(),
    )


def handle_assistant_message(
    event: dict, client: WebClient, context: BoltContext, deps: Deps
) -> None:
    """A message in an assistant thread: status now, streamed answer next."""
    if ignorable(event, context.bot_user_id):
        return
    ask = ask_from_event(event, context.team_id, context.bot_user_id, assistant=True)
    if not deps.settings.allow_dms:
        post_text(client, ask.place, messages.SLACK_DMS_OFF)
        return
    answer_once(client, ask, deps, context.bot_user_id)
