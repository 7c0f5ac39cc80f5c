"""Exactly-once: Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`).

A retried delivery carries the same `event_id`; the same message can also come
as both `app_mention` and `message`. `Seen` remembers keys for a while so each
event, and each message, is handled once.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse

from bot.conversation.dedupe import Seen


def dedupe_middleware(seen: Seen) -> Callable:
    """Bolt middleware: a second delivery of an event_id is acked and goes no further."""

    def dedupe_events(req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id and not seen.first(f"event:{event_id}"):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            req.context.logger.info("duplicate delivery of %s (retry %s) ignored", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    return dedupe_events
