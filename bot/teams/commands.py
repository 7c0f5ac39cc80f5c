"""Text commands: `help`, and `reindex [source …]` for TEAMS_ADMIN_AAD_IDS only.

Teams has no Slack-style slash commands; the manifest lists these in the bot's
command menu (and, with `triggers: ["mention", "slash"]`, in the "/" menu), and
they arrive as ordinary messages. The reindex runs in a thread of this process
(the embedded index has one owner), one at a time; progress and the summary
arrive as replies where it was asked for.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

from bot.teams.activities import Ask
from bot.teams.deps import TeamsDeps
from bot.teams.text import safe_markdown
from deskbot.core import messages
from deskbot.core.errors import DeskbotError
from deskbot.core.logs import redact

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
    """Admins only; one run at a time."""
    settings = deps.settings
    if ask.user not in settings.teams_admin_aad_ids:
        log.info("reindex refused for %s: not in TEAMS_ADMIN_AAD_IDS", ask.user)
        await context.send_activity(messages.TEAMS_REINDEX_DENIED)
        return
    specs = arguments.split() or list(settings.sources)
    if not specs:
        await context.send_activity(messages.TEAMS_REINDEX_NO_SOURCES)
        return
    state = deps.reindexing
    if state.started is not None:
        seconds = time.monotonic() - state.started
        await context.send_activity(messages.TEAMS_REINDEX_BUSY.format(seconds=seconds))
        return
    state.user, state.started = ask.user, time.monotonic()
    await run_reindex(context, deps, specs)


async def run_reindex(context, deps: TeamsDeps, specs: list[str]) -> None:
    """Start message, throttled progress from the worker thread, then the summary, in order.

    Each reply goes out in a turn of its own, so a run longer than a token's
    lifetime still reports."""
    what = safe_markdown(", ".join(specs))
    outbox: asyncio.Queue[str | None] = asyncio.Queue()
    sender = asyncio.create_task(_send_all(context, deps, outbox))
    outbox.put_nowait(messages.TEAMS_REINDEX_STARTED.format(what=what))
    try:
        progress = _throttled(outbox, deps.reindex_progress_every)
        text = summary_text(await asyncio.to_thread(deps.reindex, specs, progress))
    except DeskbotError as exc:
        error = redact(str(exc), deps.settings.secrets())
        log.error("reindex of %s failed: %s", what, error)
        text = messages.TEAMS_REINDEX_FAILED.format(what=what, error=safe_markdown(error))
    except Exception:
        log.exception("reindex of %s crashed", what)
        text = messages.TEAMS_REINDEX_CRASHED.format(what=what)
    finally:
        deps.reindexing.started = None
    outbox.put_nowait(text)
    outbox.put_nowait(None)
    await sender


def _throttled(outbox: asyncio.Queue, every: float):
    """progress(line) for the reindex thread: at most MAX_PROGRESS lines, `every` s apart."""
    loop = asyncio.get_running_loop()
    sent, last = [0], [time.monotonic()]

    def progress(line: str) -> None:
        now = time.monotonic()
        if sent[0] < MAX_PROGRESS and now - last[0] >= every:
            sent[0], last[0] = sent[0] + 1, now
            text = messages.TEAMS_REINDEX_PROGRESS.format(line=safe_markdown(line))
            loop.call_soon_threadsafe(outbox.put_nowait, text)

    return progress


async def _send_all(context, deps: TeamsDeps, outbox: asyncio.Queue) -> None:
    while (text := await outbox.get()) is not None:
        try:
            await deps.send_in_new_turn(context, text)
        except Exception:
            log.exception("could not post a reindex reply")


def summary_text(report) -> str:
    text = messages.TEAMS_REINDEX_DONE.format(summary=report.summary())
    errors = list(getattr(report, "errors", None) or [])
    if errors:
        text += "\n\n" + messages.TEAMS_REINDEX_ERRORS.format(count=len(errors), first=errors[0])
    return safe_markdown(text)
