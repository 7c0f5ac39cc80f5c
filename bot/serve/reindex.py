"""Reindexing inside the serving process: one run at a time, whoever asks.

The embedded index has one owner, so `/reindex` (Slack), `reindex` (Teams) and
`deskbot ingest` through the control socket all sync through the one
`ReindexRunner` of the running bot, over the index that answers questions. A
second request while one runs is refused with the run in the way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import DeskbotError
from deskbot.core.logs import redact

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
Reindex = Callable[[Sequence[str], Progress], Any]  # returns a SyncReport (.summary(), .errors)
PROGRESS_LOG_EVERY = 5.0  # seconds between the sync's progress lines


@dataclass
class Run:
    who: str  # a Slack user id, "cli", …
    specs: tuple[str, ...]
    started: float = field(default_factory=time.monotonic)

    @property
    def what(self) -> str:
        return ", ".join(self.specs) or "?"

    @property
    def seconds(self) -> float:
        """How long it has been running."""
        return time.monotonic() - self.started


@dataclass(frozen=True)
class Outcome:
    """How a run ended: a report, or a domain error (redacted), or a crash."""

    run: Run
    report: Any = None
    error: str | None = None
    crashed: bool = False


class Listener(Protocol):
    def progress(self, line: str) -> None: ...

    def done(self, outcome: Outcome) -> None: ...


class ThrottledListener:
    """A Listener that tells a person: at most `max_progress` progress lines, `every` s
    apart, then how the run ended. A transport gives its `send`, its escaping of outside
    text, and the separator between the summary's lines."""

    def __init__(
        self, *, every: float, max_progress: int, escape: Callable[[str], str], separator: str
    ) -> None:
        self.every, self.max_progress = every, max_progress
        self.escape, self.separator = escape, separator
        self.sent, self.last = 0, time.monotonic()

    def progress(self, line: str) -> None:  # called from the reindex thread
        now = time.monotonic()
        if self.sent < self.max_progress and now - self.last >= self.every:
            self.sent, self.last = self.sent + 1, now
            self.send(messages.REINDEX_PROGRESS.format(line=self.escape(line)))

    def done(self, outcome: Outcome) -> None:
        self.send(outcome_text(outcome, self.escape, self.separator))

    def send(self, text: str) -> None:
        raise NotImplementedError


def outcome_text(outcome: Outcome, escape: Callable[[str], str], separator: str) -> str:
    """How a run ended, for a person; outside text (names, errors) goes through `escape`."""
    what = escape(outcome.run.what)
    if outcome.crashed:
        return messages.REINDEX_CRASHED.format(what=what)
    if outcome.error is not None:  # already redacted by the runner
        return messages.REINDEX_FAILED.format(what=what, error=escape(outcome.error))
    return summary_text(outcome.report, escape, separator)


def summary_text(report, escape: Callable[[str], str], separator: str) -> str:
    """The report's summary and its first problem, escaped as one text (the templates
    hold nothing either transport escapes)."""
    text = messages.REINDEX_DONE.format(summary=report.summary())
    errors = list(getattr(report, "errors", None) or [])
    if errors:
        text += separator + messages.REINDEX_ERRORS.format(count=len(errors), first=errors[0])
    return escape(text)


class ReindexRunner:
    """Runs `reindex(specs, progress)`; refuses a second run while one is going."""

    def __init__(self, reindex: Reindex, *, secrets: Sequence[str] = ()) -> None:
        self.reindex = reindex
        self.secrets = tuple(secrets)
        self.current: Run | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    @classmethod
    def of(cls, reindex: Reindex | ReindexRunner, settings: Settings) -> ReindexRunner:
        """The serving process's runner as it is, or a new one around a bare `reindex`
        (a transport built on its own: tests, a standalone app)."""
        if isinstance(reindex, ReindexRunner):
            return reindex
        return cls(reindex, secrets=settings.secrets())

    def claim(self, who: str, specs: Sequence[str]) -> Run | None:
        """Reserve the runner for `who`; returns the run in the way if there is one."""
        with self._lock:
            if self.current is not None:
                return self.current
            self.current = Run(who, tuple(specs))
            self._idle.clear()
            return None

    def run(self, listener: Listener) -> Outcome:
        """Run the claimed sync here, telling `listener`; frees the runner at the end."""
        run = self.current or Run("?", ())
        try:
            outcome = Outcome(run, report=self.reindex(list(run.specs), listener.progress))
        except DeskbotError as exc:
            log.error("reindex of %s failed: %s", run.what, exc)
            outcome = Outcome(run, error=redact(str(exc), self.secrets))
        except Exception:
            log.exception("reindex of %s crashed", run.what)
            outcome = Outcome(run, crashed=True)
        finally:
            with self._lock:
                self.current = None
                self._idle.set()
        listener.done(outcome)
        return outcome

    def launch(self, listener: Listener) -> threading.Thread:
        """Run the claimed sync in a background thread."""
        thread = threading.Thread(
            target=self.run, args=(listener,), name="deskbot-reindex", daemon=True
        )
        thread.start()
        return thread

    def wait_idle(self, timeout: float) -> bool:
        return self._idle.wait(timeout)


def build_reindex(settings: Settings, index, embedder) -> Reindex:
    """`reindex(specs, progress) -> SyncReport` over the index the bot already holds.

    The syncer (its parsers and its own copy of the tokenizer, ~15 MB) is built per run,
    not at startup: a bot at rest does not hold what only a reindex uses.
    """

    def reindex(specs: Sequence[str], progress: Progress):
        from bot.wiring import build_source
        from deskbot.core.progress import LogProgress
        from ingest.sync import Syncer, sync_sources

        sources = [build_source(spec, settings) for spec in specs]
        return sync_sources(
            sources,
            Syncer(index, embedder),
            lambda: LogProgress("pages", "chunks", every=PROGRESS_LOG_EVERY, emit=progress),
        )

    return reindex
