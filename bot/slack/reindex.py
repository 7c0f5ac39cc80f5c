"""/reindex inside the bot process: one run at a time, in a background thread.

The embedded index has one owner, so the bot reindexes itself. The requester
hears how it goes through the command's `response_url` (ephemeral; Slack allows
five posts per URL, so progress is throttled), or by DM when that URL fails.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.slack.client import retry_handlers
from bot.slack.deps import Reindex
from deskbot.core import messages
from deskbot.core.errors import DeskbotError
from deskbot.core.logs import redact

log = logging.getLogger(__name__)


def parse_specs(text: str) -> list[str]:
    """`confluence:ENG <https://wiki/x|page>` -> ["confluence:ENG", "https://wiki/x"]."""
    specs = []
    for word in (text or "").split():
        word = word.strip("<>").split("|", 1)[0]
        if word:
            specs.append(word)
    return specs


@dataclass
class Run:
    user: str
    specs: tuple[str, ...]
    started: float = field(default_factory=time.monotonic)


class Notifier:
    """Progress lines (at most `max_progress`, `every` seconds apart) and the final word."""

    def __init__(
        self,
        client: WebClient,
        user: str,
        response_url: str | None,
        *,
        every: float = 10.0,
        max_progress: int = 3,
    ) -> None:
        self.client, self.user, self.response_url = client, user, response_url
        self.every, self.max_progress = every, max_progress
        self.sent = 0
        self.last = time.monotonic()

    def progress(self, line: str) -> None:
        now = time.monotonic()
        if self.sent < self.max_progress and now - self.last >= self.every:
            self.sent, self.last = self.sent + 1, now
            self.send(messages.SLACK_REINDEX_PROGRESS.format(line=line))

    def send(self, text: str) -> None:
        if self.response_url:
            webhook = WebhookClient(self.response_url, timeout=10, retry_handlers=retry_handlers())
            try:
                if webhook.send(text=text, response_type="ephemeral").status_code == 200:
                    return
            except (SlackClientError, OSError) as exc:
                log.warning("response_url failed (%s); sending a DM instead", exc)
        try:
            self.client.chat_postMessage(channel=self.user, text=text)
        except (SlackApiError, SlackClientError) as exc:
            log.error("could not tell %s about the reindex: %s", self.user, exc)


class ReindexRunner:
    """Runs `reindex(specs, progress)` in a thread; refuses a second run while one is going."""

    def __init__(
        self, reindex: Reindex, *, secrets: Sequence[str] = (), progress_every: float = 10.0
    ) -> None:
        self.reindex = reindex
        self.secrets = tuple(secrets)
        self.progress_every = progress_every
        self.current: Run | None = None
        self._lock = threading.Lock()

    def claim(self, user: str, specs: Sequence[str]) -> Run | None:
        """Reserve the runner for `user`; returns the run in the way if there is one."""
        with self._lock:
            if self.current is not None:
                return self.current
            self.current = Run(user, tuple(specs))
            return None

    def launch(self, client: WebClient, user: str, response_url: str | None) -> threading.Thread:
        """Run the claimed reindex in a thread that reports to `user`."""
        notifier = Notifier(client, user, response_url, every=self.progress_every)
        thread = threading.Thread(target=self._run, args=(notifier,), name="deskbot-reindex")
        thread.daemon = True
        thread.start()
        return thread

    def _run(self, notifier: Notifier) -> None:
        run = self.current
        what = ", ".join(run.specs) if run else "?"
        try:
            report = self.reindex(list(run.specs) if run else [], notifier.progress)
            notifier.send(summary_text(report))
        except DeskbotError as exc:
            log.error("reindex of %s failed: %s", what, exc)
            error = redact(str(exc), self.secrets)
            notifier.send(messages.SLACK_REINDEX_FAILED.format(what=what, error=error))
        except Exception:
            log.exception("reindex of %s crashed", what)
            notifier.send(messages.SLACK_REINDEX_CRASHED.format(what=what))
        finally:
            with self._lock:
                self.current = None


def summary_text(report) -> str:
    text = messages.SLACK_REINDEX_DONE.format(summary=report.summary())
    errors = list(getattr(report, "errors", None) or [])
    if errors:
        text += "\n" + messages.SLACK_REINDEX_ERRORS.format(count=len(errors), first=errors[0])
    return text
