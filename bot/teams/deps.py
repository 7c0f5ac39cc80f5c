"""What the Teams handlers share, and the one way work leaves the request: `spawn`.

Teams redelivers an activity it has not seen acknowledged within about 15 s,
and the SDK runs a whole turn inside the HTTP request. So a handler only checks
and decides, then `spawn`s the slow part (answering, escalating, reindexing) as
a proactive turn in the background; the request returns 202 at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.dedupe import Seen
from deskbot.core.config import Settings

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
Reindex = Callable[[Sequence[str], Progress], Any]  # returns a report with .summary()
Work = Callable[[Any], Awaitable[None]]  # takes the background turn's TurnContext


@dataclass
class ReindexState:
    """The one reindex that may run at a time (started: time.monotonic())."""

    user: str = ""
    started: float | None = None


@dataclass
class TeamsDeps:
    settings: Settings
    answerer: Any  # bot.answer.Answerer (or anything with its `answer`)
    store: Any  # bot.store.Store
    reindex: Reindex
    jobs: Executor  # answers are computed here, off the event loop
    seen: Seen = field(default_factory=Seen)  # conversation id + activity id already taken
    reindexing: ReindexState = field(default_factory=ReindexState)
    reindex_progress_every: float = 10.0
    adapter: Any = None  # the CloudAdapter, set by build_app
    tasks: set[asyncio.Task] = field(default_factory=set)

    def spawn(self, context, work: Work, what: str) -> asyncio.Task:
        """Run `work` in a new turn on the same conversation, after this request returns.

        The new turn replies to the same activity (its id is kept), so replies land
        in the same thread. Failures inside reach the adapter's turn-error handler."""
        continuation = context.activity.model_copy(deep=True)
        identity = context.identity

        async def run() -> None:
            try:
                await self.adapter.continue_conversation_with_claims(identity, continuation, work)
            except Exception:  # the turn-error handler could not even apologise
                log.exception("background %s for %s failed", what, continuation.id)

        task = asyncio.get_running_loop().create_task(run(), name=f"deskbot-{what}")
        return self._track(task)

    async def send_in_new_turn(self, context, text: str) -> None:
        """Send `text` from a turn of its own (fresh connector and token), and wait for it."""

        async def work(turn) -> None:
            await turn.send_activity(text)

        continuation = context.activity.model_copy(deep=True)
        await self.adapter.continue_conversation_with_claims(context.identity, continuation, work)

    def _track(self, task: asyncio.Task) -> asyncio.Task:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task
