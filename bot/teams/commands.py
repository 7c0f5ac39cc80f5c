"""Text commands: `help`, and `reindex [source …]` for TEAMS_ADMIN_AAD_IDS only.

Teams has no Slack-style slash commands; the manifest lists these in the bot's
command menu (and, with `triggers: ["mention", "slash"]`, in the "/" menu), and
they arrive as ordinary messages. The reindex runs in a thread of this process
(the embedded index has one owner) through the process's one ReindexRunner, so
Slack's /reindex, Teams and `deskbot ingest` never sync at once; progress and the
summary arrive as replies where it was asked for.
"""

from __future__ import annotations

import asyncio
import logging
import re

from bot.serve.reindex import ThrottledListener
from bot.teams.activities import Ask
from bot.teams.deps import TeamsDeps
from bot.teams.text import safe_markdown
from deskbot.core import messages

log = logging.getLogger(__name__)

REINDEX = re.compile(r"\s*reindex\b(.*)", re.IGNORECASE | re.DOTALL)
HELP = re.compile(r"\s*(help|hi|hello)\W*", re.IGNORECASE)
MAX_PROGRESS = 3  # progress replies per run, at least `every` seconds apart


def command_of(question: str) -> tuple[str, str] | None:
    """("reindex", arguments) or ("help", ""), or None for a question."""
    if match := REINDEX.fullmatch(question):
        return "reindex", match.group(1).strip()
    if HELP.fullmatch(question):
        return "help", ""
    return None


async def handle_command(context, deps: TeamsDeps, ask: Ask, command: tuple[str, str]) -> None:
    name, arguments = command
    if name == "help":
        await context.send_activity(messages.TEAMS_HELP)
    else:
        await reindex(context, deps, ask, arguments)


async def reindex(context, deps: TeamsDeps, ask: Ask, arguments: str) -> None:
    """Admins only; one run at a time in the whole process (the shared ReindexRunner)."""
    settings = deps.settings
    if ask.user not in settings.teams_admin_aad_ids:
        log.info("reindex refused for %s: not in TEAMS_ADMIN_AAD_IDS", ask.user)
        await context.send_activity(messages.TEAMS_REINDEX_DENIED)
        return
    specs = arguments.split() or list(settings.sources)
    if not specs:
        await context.send_activity(messages.TEAMS_REINDEX_NO_SOURCES)
        return
    running = deps.reindexer.claim(ask.user, specs)
    if running is not None:
        what = safe_markdown(running.what)
        text = messages.TEAMS_REINDEX_BUSY.format(what=what, seconds=running.seconds)
        await context.send_activity(text)
        return
    await run_reindex(context, deps, specs)


async def run_reindex(context, deps: TeamsDeps, specs: list[str]) -> None:
    """Start message, throttled progress, then how it ended, in order.

    The claimed run goes through the runner in a worker thread; each reply goes out
    in a turn of its own, so a run longer than a token's lifetime still reports."""
    outbox: asyncio.Queue[str | None] = asyncio.Queue()
    sender = asyncio.create_task(_send_all(context, deps, outbox))
    outbox.put_nowait(messages.TEAMS_REINDEX_STARTED.format(what=safe_markdown(", ".join(specs))))
    listener = Replies(outbox, every=deps.reindex_progress_every)
    try:
        await asyncio.to_thread(deps.reindexer.run, listener)
    finally:
        outbox.put_nowait(None)
        await sender


class Replies(ThrottledListener):
    """A reindex Listener for Teams: progress and the outcome become replies, in order."""

    def __init__(self, outbox: asyncio.Queue, *, every: float) -> None:
        super().__init__(
            every=every, max_progress=MAX_PROGRESS, escape=safe_markdown, separator="\n\n"
        )
        self.outbox = outbox
        self.loop = asyncio.get_running_loop()

    def send(self, text: str) -> None:  # called from the reindex thread
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, text)


async def _send_all(context, deps: TeamsDeps, outbox: asyncio.Queue) -> None:
    while (text := await outbox.get()) is not None:
        try:
            await deps.send_in_new_turn(context, text)
        except Exception:
            log.exception("could not post a reindex reply")
