"""The one reply for a failure while answering: short, no exception text, who to ask."""

from __future__ import annotations

from deskbot.core import messages


def apology(escalation: str) -> str:
    """What the person sees when answering failed; the detail stays in the log."""
    return messages.APOLOGY.format(escalation=escalation)
