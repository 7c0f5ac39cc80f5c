"""Past support conversations, as read from ticket exports (shared by `tune` and `sim`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Turn:
    role: str  # "user" (the requester) or "assistant" (the support agent)
    text: str


@dataclass(frozen=True)
class Conversation:
    """One ticket or thread. `origin` says where it came from ("tickets.json:12")."""

    id: str
    origin: str
    turns: tuple[Turn, ...]
    linked_url: str = ""  # the article the agent linked, when known
    meta: dict = field(default_factory=dict)

    @property
    def question(self) -> str:
        """The requester's first message."""
        return next((t.text for t in self.turns if t.role == "user"), "")

    @property
    def agent_answer(self) -> str:
        """The agent's first reply, when there is one."""
        return next((t.text for t in self.turns if t.role == "assistant"), "")
