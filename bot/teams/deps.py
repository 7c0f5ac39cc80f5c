"""What the Teams handlers share: settings, the answering core, the store, bot-wide state."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.dedupe import Seen
from bot.serve.reindex import ReindexRunner
from deskbot.core.config import Settings


@dataclass
class TeamsDeps:
    settings: Settings
    answerer: Any  # bot.answer.Answerer (or anything with its `answer`)
    store: Any  # bot.store.Store
    reindexer: ReindexRunner  # the serving process's one runner (bot/serve/reindex.py)
    jobs: Executor  # answers are computed here, off the event loops (the process's shared pool)
    seen: Seen = field(default_factory=Seen)  # conversation id + activity id already taken
    reindex_progress_every: float = 10.0
    adapter: Any = None  # the CloudAdapter, set by build_app

    async def send_in_new_turn(self, context, text: str) -> None:
        """Send `text` from a turn of its own (fresh connector and token), and wait for it."""

        async def work(turn) -> None:
            await turn.send_activity(text)

        continuation = context.activity.model_copy(deep=True)
        await self.adapter.continue_conversation_with_claims(context.identity, continuation, work)
