"""`deskbot tune prepare`: past conversations -> chat-format JSONL for fine-tuning.

Each conversation becomes `{"messages": [system?, user, assistant, ...]}`, the
format OpenAI's fine-tuning API and TRL's SFT trainer both read. Cleaning, in
order: drop empty turns and auto-replies, merge consecutive turns of one role,
start at the first user turn and end at the last agent turn, scrub PII (unless
asked not to), drop conversations without an agent reply, drop duplicates. Every
drop is counted by reason so the report says what was kept and why the rest was not.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from deskbot.core.conversations import Conversation, Turn
from deskbot.tune.pii import scrub
from deskbot.tune.readers import Problem

AUTO_REPLY = re.compile(
    r"(?i)(this is an automated|auto(?:matic)?[- ]?(?:reply|response|generated)|"
    r"out of (?:the )?office|we have received your (?:request|ticket|message)|"
    r"your (?:request|ticket) \(?#?\d+\)? has been (?:received|created|solved|closed)|"
    r"do not reply to this (?:e-?mail|message))"
)


@dataclass
class PrepareReport:
    conversations: int = 0
    kept: int = 0
    train: int = 0
    val: int = 0
    dropped: Counter = field(default_factory=Counter)  # conversations, by reason
    turns_dropped: Counter = field(default_factory=Counter)  # turns, by reason
    pii: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Read {self.conversations} conversations; kept {self.kept} "
            f"({self.train} train, {self.val} validation)."
        ]
        for reason, n in self.dropped.most_common():
            out.append(f"  dropped {n} conversation(s): {reason}")
        for reason, n in self.turns_dropped.most_common():
            out.append(f"  dropped {n} turn(s): {reason}")
        if self.pii:
            shown = ", ".join(f"{n} {kind}" for kind, n in sorted(self.pii.items()))
            out.append(f"  PII replaced: {shown}")
        if self.problems:
            out.append(f"  {len(self.problems)} unreadable record(s) skipped:")
            out.extend(f"    {p}" for p in self.problems[:20])
            if len(self.problems) > 20:
                out.append(f"    … and {len(self.problems) - 20} more")
        return out


def clean_turns(turns: Iterable[Turn], report: PrepareReport) -> list[Turn]:
    """Drop empty and automatic turns, merge runs of one role, trim to user…assistant."""
    merged: list[Turn] = []
    for turn in turns:
        text = turn.text.strip()
        if not text:
            report.turns_dropped["empty"] += 1
        elif AUTO_REPLY.search(text):
            report.turns_dropped["auto-reply"] += 1
        elif merged and merged[-1].role == turn.role:
            merged[-1] = Turn(turn.role, f"{merged[-1].text}\n\n{text}")
        else:
            merged.append(Turn(turn.role, text))
    while merged and merged[0].role != "user":
        merged.pop(0)
    while merged and merged[-1].role != "assistant":
        merged.pop()
    return merged


def _count_reader_drops(conversation: Conversation, report: PrepareReport) -> None:
    for key, reason in (("internal_notes", "internal note"), ("auto_replies", "auto-reply")):
        if n := conversation.meta.get(key):
            report.turns_dropped[reason] += int(n)


def to_example(
    conversation: Conversation, report: PrepareReport, *, system: str, keep_pii: bool
) -> dict | None:
    """The chat example for one conversation, or None (counted) when it has nothing to teach."""
    _count_reader_drops(conversation, report)
    turns = clean_turns(conversation.turns, report)
    if not any(t.role == "user" for t in conversation.turns if t.text.strip()):
        report.dropped["no question from the requester"] += 1
        return None
    if not turns:
        report.dropped["no agent reply after the question"] += 1
        return None
    messages = [{"role": "system", "content": system}] if system else []
    for turn in turns:
        text = turn.text if keep_pii else scrub(turn.text, report.pii)
        messages.append({"role": turn.role, "content": text})
    return {"messages": messages}


def _key(example: dict) -> str:
    return "\x1f".join(
        " ".join(m["content"].lower().split()) for m in example["messages"] if m["role"] != "system"
    )


def prepare(
    conversations: Iterable[Conversation],
    *,
    system: str = "",
    keep_pii: bool = False,
    val_split: float = 0.0,
    seed: int = 0,
    problems: Sequence[Problem] = (),
) -> tuple[list[dict], list[dict], PrepareReport]:
    """(train examples, validation examples, report)."""
    report = PrepareReport(problems=list(problems))
    examples, seen = [], set()
    for conversation in conversations:
        report.conversations += 1
        example = to_example(conversation, report, system=system, keep_pii=keep_pii)
        if example is None:
            continue
        key = _key(example)
        if key in seen:
            report.dropped["duplicate"] += 1
            continue
        seen.add(key)
        examples.append(example)
    report.problems = list(problems)  # the reader may have added some while we iterated
    train, val = split(examples, val_split, seed)
    report.kept, report.train, report.val = len(examples), len(train), len(val)
    return train, val, report


def split(examples: list[dict], fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    """A seeded shuffle split; at least one validation example when fraction > 0 and n >= 2."""
    if fraction <= 0 or len(examples) < 2:
        return examples, []
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_val = min(len(examples) - 1, max(1, round(len(examples) * fraction)))
    held = set(order[:n_val])
    train = [e for i, e in enumerate(examples) if i not in held]
    return train, [e for i, e in enumerate(examples) if i in held]


def write_jsonl(path: Path, examples: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for example in examples:
            fh.write(json.dumps(example, ensure_ascii=False) + "\n")
            n += 1
    return n
