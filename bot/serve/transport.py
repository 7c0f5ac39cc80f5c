"""What `deskbot serve` needs from a transport (Slack, Teams).

A transport receives people's messages from one platform and answers them with the
shared runtime (bot/serve/runtime.py). The serving core starts each configured
transport, asks it for its health, and on shutdown tells it to stop taking new
messages; answers already accepted finish in the runtime's job pool, and then each
transport drains: it sends what it still holds (Teams delivers an answer on its own
loop after the answer's job has finished) and lets go of its threads and connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


class Transport(Protocol):
    name: str  # "slack", "teams": for logs and /healthz

    def start(self) -> None:
        """Begin taking messages (returns at once; the work runs in threads)."""

    def stop(self, timeout: float) -> None:
        """Stop taking new messages; messages already accepted are not cut off."""

    def drain(self, timeout: float) -> int:
        """After stop(): send the replies of messages already accepted, waiting up to `timeout`
        seconds, then release threads and connections; returns how many were not sent."""

    def health(self) -> Health:
        """Whether the transport can receive messages now, and why not."""

    def failure(self) -> Exception | None:
        """A fatal error that should end the process (e.g. a revoked token), else None."""
