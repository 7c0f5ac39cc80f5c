"""What the listeners share: settings, the answering core, the store, and bot-wide state."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

from bot.conversation.records import AnswerStore
from bot.serve.reindex import ReindexRunner
from bot.slack.deliver import StreamSupport
from bot.slack.seen import Seen
from deskbot.core.config import Settings
from deskbot.core.conversations import Turn


class AnswererLike(Protocol):
    """bot.answer.Answerer: `channel` and `user` go into its store with the answer."""

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        sources: Sequence[str] | None = None,
        channel: str | None = None,
        user: str | None = None,
    ) -> Any: ...


@dataclass
class Deps:
    settings: Settings
    answerer: AnswererLike
    store: AnswerStore
    jobs: Executor  # answers run here, off Bolt's listener threads
    reindexer: ReindexRunner  # the serving process's one runner (bot/serve/reindex.py)
    seen: Seen  # event ids and messages already handled
    threads: Seen  # threads the bot answered in (ANSWER_THREAD_FOLLOWUPS)
    streams: StreamSupport
    reindex_progress_every: float = 10.0  # seconds between /reindex progress posts
