"""/reindex as Slack shows it: progress and the summary for the admin who asked.

The run itself is the serving process's one ReindexRunner (bot/serve/reindex.py).
The requester hears how it goes through the command's `response_url` (ephemeral;
Slack allows five posts per URL, so progress is throttled), or by DM when that URL fails.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.serve.reindex import ThrottledListener
from bot.slack.mrkdwn import escape
from bot.slack.retry import retry_handlers

log = logging.getLogger(__name__)


def parse_specs(text: str) -> list[str]:
    """`confluence:ENG <https://wiki/x|page>` -> ["confluence:ENG", "https://wiki/x"]."""
    specs = []
    for word in (text or "").split():
        word = word.strip("<>").split("|", 1)[0]
        if word:
            specs.append(word)
    return specs


class Notifier(ThrottledListener):
    """A reindex Listener: progress (at most `max_progress` posts, `every` s apart), then the end."""

    def __init__(
        self,
        client: WebClient,
        user: str,
        response_url: str | None,
        *,
        every: float = 10.0,
        max_progress: int = 3,
    ) -> None:
        super().__init__(every=every, max_progress=max_progress, escape=escape, separator="\n")
        self.client, self.user, self.response_url = client, user, response_url

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
