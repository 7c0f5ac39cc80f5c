"""Knowledge gaps after go-live: the bot's unanswered questions and 👎 answers, by topic.

    result = store_gaps(Store(settings.db_path), embedder, since_days=30)

The same clustering as the simulation report (sim/clusters.py), over what the
bot's own Store recorded: questions the wiki did not cover, and questions whose
answer someone voted down.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.store import Store
from deskbot.core import messages
from deskbot.sim.clusters import DEFAULT_THRESHOLD, Topic, cluster

UNANSWERED, NEGATIVE = "unanswered", "negative"


@dataclass
class GapItem:
    question: str
    kind: str  # "unanswered" or "negative"
    when: str  # ISO 8601: asked (unanswered) or voted (negative)
    answer: str = ""


@dataclass
class Gaps:
    items: list[GapItem]
    topics: list[Topic]
    since_days: float | None = None
    kinds: list[Counter] = field(default_factory=list)  # per topic: unanswered / negative

    @property
    def unanswered(self) -> int:
        return sum(i.kind == UNANSWERED for i in self.items)

    @property
    def negative(self) -> int:
        return sum(i.kind == NEGATIVE for i in self.items)

    def as_json(self) -> dict:
        return {
            "since_days": self.since_days,
            "questions": len(self.items),
            "unanswered": self.unanswered,
            "negative": self.negative,
            "topics": [
                {**t.as_json(), "unanswered": k[UNANSWERED], "negative": k[NEGATIVE]}
                for t, k in zip(self.topics, self.kinds, strict=True)
            ],
        }


def cutoff(since_days: float | None, now: datetime | None = None) -> str | None:
    if since_days is None:
        return None
    now = now or datetime.now(UTC)
    return (now - timedelta(days=since_days)).isoformat(timespec="seconds")


def gap_items(store: Store, since_days: float | None = None) -> list[GapItem]:
    """Unanswered questions and down-voted answers (one per answer), oldest first."""
    since = cutoff(since_days)
    items = [GapItem(u.question, UNANSWERED, u.asked_at) for u in store.unanswered(since)]
    seen: set[int] = set()
    for f in store.negative_feedback():
        if f.answer_id in seen or (since is not None and f.given_at < since):
            continue
        seen.add(f.answer_id)
        items.append(GapItem(f.question, NEGATIVE, f.given_at, f.answer))
    return sorted(items, key=lambda i: i.when)


def store_gaps(
    store: Store,
    embedder,
    *,
    since_days: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Gaps:
    items = gap_items(store, since_days)
    topics = cluster([i.question for i in items], embedder, threshold=threshold)
    kinds = [Counter(items[n].kind for n in t.items) for t in topics]
    return Gaps(items, topics, since_days, kinds)


def since_text(since_days: float | None) -> str:
    return "" if since_days is None else f" in the last {since_days:g} day(s)"


def format_gaps(gaps: Gaps, path: str) -> str:
    """The gap list for a terminal: one line per topic, largest first."""
    since = since_text(gaps.since_days)
    if not gaps.items:
        return messages.GAPS_NONE.format(since=since, path=path)
    lines = [
        messages.GAPS_HEADER.format(
            topics=len(gaps.topics),
            questions=len(gaps.items),
            since=since,
            unanswered=gaps.unanswered,
            negative=gaps.negative,
        ),
        "",
    ]
    for topic, kinds in zip(gaps.topics, gaps.kinds, strict=True):
        detail = f"{kinds[UNANSWERED]} unanswered, {kinds[NEGATIVE]} 👎"
        lines.append(f"{topic.count:4d}  {topic.label}  ({detail})")
        lines.append(f"      e.g. “{topic.example}”")
    return "\n".join(lines)
