"""`deskbot tune eval`: base model vs tone model on held-out conversations, offline metrics.

For every held-out example (chat JSONL, as written by `tune prepare --val`), the
prompt is the conversation up to its last agent reply, and that reply is the
reference. Both models answer the prompt; then the tone model restyles the base
model's answer through the same tone pass the bot uses (bot/tone.py), whose fact
check decides whether the restyle kept every link, number and citation.

Metrics per model: cosine similarity of the reply to the real agent reply (local
sentence-transformers embeddings), reply/reference length ratio, style-marker
rates (tune/style.py) and their distance to the agent's own rates, failures; and
for the tone model the fact-preservation rate of the restyle pass.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deskbot.core.errors import ModelError, TuneError
from deskbot.core.progress import Progress
from deskbot.tune import style

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Case:
    line: int
    prompt: list[dict]  # messages before the reference reply
    question: str
    reference: str


def read_cases(path: Path, limit: int | None = None) -> list[Case]:
    """Held-out examples; a line without a user and a final assistant message is an error."""
    cases = []
    for line, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            messages = json.loads(raw).get("messages")
        except (json.JSONDecodeError, AttributeError):
            raise TuneError(f"{path}:{line}: not a JSON object with messages") from None
        turns = [m for m in messages or [] if isinstance(m, dict)]
        last = max((i for i, m in enumerate(turns) if m.get("role") == "assistant"), default=-1)
        users = [m for m in turns[:last] if m.get("role") == "user"]
        if last < 0 or not users or not isinstance(turns[last].get("content"), str):
            raise TuneError(f"{path}:{line}: needs a user message followed by an assistant reply")
        question = str(users[-1].get("content") or "")
        cases.append(Case(line, turns[:last], question, turns[last]["content"]))
        if limit and len(cases) >= limit:
            break
    if not cases:
        raise TuneError(f"{path}: no examples to evaluate")
    return cases


@dataclass
class Side:
    label: str
    model: str
    replies: list[str | None] = field(default_factory=list)
    similarity: list[float] = field(default_factory=list)
    length_ratio: list[float] = field(default_factory=list)
    rates: dict[str, float] = field(default_factory=dict)
    style_gap: float = 0.0

    @property
    def failures(self) -> int:
        return sum(r is None for r in self.replies)

    def summary(self) -> dict[str, float | int | None]:
        return {
            "similarity": statistics.fmean(self.similarity) if self.similarity else None,
            "length_ratio": statistics.median(self.length_ratio) if self.length_ratio else None,
            "style_gap": self.style_gap,
            "failures": self.failures,
        }


@dataclass
class EvalResult:
    cases: list[Case]
    base: Side
    tone: Side
    reference_rates: dict[str, float]
    restyled: int = 0  # restyles whose facts all survived
    restyle_tried: int = 0  # restyles the tone model answered
    lost: Counter = field(default_factory=Counter)  # what the rejected restyles lost, by kind

    @property
    def fact_preservation(self) -> float | None:
        return self.restyled / self.restyle_tried if self.restyle_tried else None


def _ask(model, prompt: list[dict]) -> str | None:
    try:
        return model.complete(prompt).text
    except ModelError:
        return None


def _words(text: str) -> int:
    return max(1, len(text.split()))


def _score(side: Side, cases: Sequence[Case], embed: Embed, references: np.ndarray, agent) -> None:
    pairs = [(i, r) for i, r in enumerate(side.replies) if r]
    if pairs:
        vectors = _unit(embed([r for _, r in pairs]))
        side.similarity = [float(vectors[j] @ references[i]) for j, (i, _) in enumerate(pairs)]
        side.length_ratio = [_words(r) / _words(cases[i].reference) for i, r in pairs]
    side.rates = style.rates([r for _, r in pairs])
    side.style_gap = style.style_distance(side.rates, agent)


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def run_eval(
    cases: Sequence[Case],
    base,
    tone,
    restyler,
    embed: Embed,
    progress: Progress | None = None,
) -> EvalResult:
    """`base`/`tone`: bot.llm.ChatModel; `restyler`: bot.tone.Restyler over the tone model."""
    result = EvalResult(
        list(cases), Side("base", base.model), Side("tone", tone.model), style.rates([])
    )
    for case in cases:
        base_reply = _ask(base, case.prompt)
        result.base.replies.append(base_reply)
        result.tone.replies.append(_ask(tone, case.prompt))
        if base_reply:
            restyle = restyler.restyle(case.question, base_reply)
            if restyle.completion is not None:
                result.restyle_tried += 1
                result.restyled += bool(restyle.restyled)
                result.lost.update(p.split(" ", 1)[0] for p in restyle.problems)
        if progress is not None:
            progress.advance(1)
    references = _unit(embed([c.reference for c in cases]))
    result.reference_rates = style.rates([c.reference for c in cases])
    for side in (result.base, result.tone):
        _score(side, cases, embed, references, result.reference_rates)
    return result


def table(result: EvalResult) -> list[str]:
    """The side-by-side summary, as text lines."""

    def fmt(value, pattern: str) -> str:
        return "n/a" if value is None else pattern.format(value)

    b, t = result.base.summary(), result.tone.summary()
    rows = [
        ("metric", f"base ({result.base.model})", f"tone ({result.tone.model})", "agent"),
        (
            "similarity to agent reply",
            fmt(b["similarity"], "{:.3f}"),
            fmt(t["similarity"], "{:.3f}"),
            "1.000",
        ),
        (
            "length ratio (median)",
            fmt(b["length_ratio"], "{:.2f}"),
            fmt(t["length_ratio"], "{:.2f}"),
            "1.00",
        ),
    ]
    for marker in style.MARKERS:
        rows.append(
            (
                f"{marker} rate",
                f"{result.base.rates.get(marker, 0):.0%}",
                f"{result.tone.rates.get(marker, 0):.0%}",
                f"{result.reference_rates.get(marker, 0):.0%}",
            )
        )
    rows.append(("style gap to agent", f"{b['style_gap']:.2f}", f"{t['style_gap']:.2f}", "0.00"))
    rows.append(("facts kept by restyle", "-", fmt(result.fact_preservation, "{:.0%}"), "-"))
    rows.append(("failed replies", str(b["failures"]), str(t["failures"]), "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
