"""Slash commands: /reindex (its name comes from REINDEX_COMMAND)."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.mrkdwn import escape, fill
from bot.slack.reindex import Notifier, parse_specs
from deskbot.core import messages


def register(app: App, deps: Deps) -> None:
    def on_reindex(ack: Ack, command: dict, client: WebClient) -> None:
        handle_reindex(ack, command, client, deps)

    app.command(deps.settings.reindex_command)(on_reindex)


def handle_reindex(ack: Ack, command: dict, client: WebClient, deps: Deps) -> None:
    """Admins only; acks at once, runs in the background, one run at a time."""
    settings, user = deps.settings, command.get("user_id", "")
    name = command.get("command") or settings.reindex_command
    if user not in settings.admin_user_ids:
        ack(response_type="ephemeral", text=fill(messages.SLACK_REINDEX_DENIED, command=name))
        return
    specs = parse_specs(command.get("text", "")) or list(settings.sources)
    if not specs:
        ack(response_type="ephemeral", text=fill(messages.SLACK_REINDEX_NO_SOURCES, command=name))
        return
    running = deps.reindexer.claim(user, specs)
    if running is not None:
        text = messages.SLACK_REINDEX_BUSY.format(who=_who(running.who), seconds=running.seconds)
        ack(response_type="ephemeral", text=text)
        return
    ack(response_type="ephemeral", text=fill(messages.SLACK_REINDEX_STARTED, what=", ".join(specs)))
    notifier = Notifier(
        client, user, command.get("response_url"), every=deps.reindex_progress_every
    )
    deps.reindexer.launch(notifier)


def _who(who: str) -> str:
    """A Slack user as a mention; anyone else (`deskbot ingest (pid 7)`) by name."""
    return f"<@{who}>" if who[:1] in "UW" and who.isalnum() else escape(who)
