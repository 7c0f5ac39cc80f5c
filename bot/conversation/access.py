"""Where the bot answers, and what it may search there: pure checks on settings."""

from __future__ import annotations

from collections.abc import Collection

from deskbot.core.config import Settings

ANY = "*"


def listed(allowlist: Collection[str], item: str | None) -> bool:
    """An allowlist that is empty allows everything; `*` in it allows everything too."""
    return not allowlist or ANY in allowlist or (item or "") in allowlist


def sources_for(settings: Settings, channel: str) -> tuple[str, ...] | None:
    """The sources a channel may see (CHANNEL_SOURCES), or None for all of them."""
    return settings.channel_sources.get(channel) or None
