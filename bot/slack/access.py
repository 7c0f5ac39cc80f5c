"""Who and where the bot answers: pure checks on events and settings.

The bot never answers bots (itself included), message edits, deletions or other
message subtypes, so two bots cannot talk each other into a loop.
"""

from __future__ import annotations

from deskbot.core.config import Settings

ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def ignorable(event: dict, bot_user_id: str | None) -> bool:
    """Events the bot must not answer: bots, itself, edits, deletions, joins, hidden ones."""
    return bool(
        event.get("subtype") not in ANSWERED_SUBTYPES
        or event.get("bot_id")
        or event.get("bot_profile")
        or event.get("hidden")
        or not event.get("user")
        or event.get("user") == bot_user_id
    )


def channel_type(event: dict) -> str:
    """ "im", "mpim", "group" or "channel"; app_mention events carry no channel_type."""
    if event.get("channel_type"):
        return event["channel_type"]
    channel = event.get("channel") or ""
    return {"D": "im", "G": "group"}.get(channel[:1], "channel")


def is_dm(event: dict) -> bool:
    return channel_type(event) == "im"


def channel_allowed(settings: Settings, channel: str, kind: str) -> bool:
    """DMs follow ALLOW_DMS; channels follow ALLOWED_CHANNEL_IDS (empty: every channel)."""
    if kind == "im":
        return settings.allow_dms
    return not settings.allowed_channel_ids or channel in settings.allowed_channel_ids
