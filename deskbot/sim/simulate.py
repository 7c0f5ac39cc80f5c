"""One simulation end to end: read the history, replay it, measure, write the report.

    outcome = simulate(settings, [Path("tickets.json")], SimOptions(report=Path("report.html")))

The Answerer is built by the same wiring as the bot (bot/wiring.py), with its own
in-memory Store so a simulation never adds to the bot's unanswered questions. In
extractive mode the model settings are dropped, so no model is asked even when
one is configured; the configured model's cost is then estimated (sim/cost.py).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import ConfigError, DeskbotError
from deskbot.core.logs import redact
from deskbot.core.prices import PriceTable, load_prices
from deskbot.sim.clusters import DEFAULT_THRESHOLD, Topic, cluster
from deskbot.sim.cost import CostEstimator
from deskbot.sim.report import ReportContext, render
from deskbot.sim.results import Record, ResultsFile, results_path
from deskbot.sim.runner import RunStats, Simulator, unique_questions
from deskbot.sim.summary import Summary, summarize
from deskbot.tune.readers import Problem, read_conversations

DEFAULT_GAP_SIMILARITY = 0.45


@dataclass
class SimOptions:
    report: Path = Path("report.html")
    limit: int | None = None
    use_model: bool | None = None  # None: the model when one is configured
    volume: int = 1000  # questions per month, for the projected cost
    workers: int | None = None  # None: 2 extractive (CPU bound), 8 with a model (I/O bound)
    fresh: bool = False
    agent_ids: Sequence[str] = ()
    gap_similarity: float = DEFAULT_GAP_SIMILARITY
    cluster_threshold: float = DEFAULT_THRESHOLD


@dataclass
class Outcome:
    stats: RunStats
    summary: Summary
    topics: list[Topic]
    records: list[Record]
    report: Path
    results: Path
    problems: list[Problem] = field(default_factory=list)
    other_modes: dict[str, int] = field(default_factory=dict)
    cost_note: str = ""

    def as_json(self) -> dict:
        return {
            "summary": self.summary.as_json(),
            "gaps": [t.as_json() for t in self.topics],
            "run": {**dataclasses.asdict(self.stats), "seconds": round(self.stats.seconds, 3)},
            "cost_note": self.cost_note,
            "report": str(self.report),
            "results": str(self.results),
            "skipped": [str(p) for p in self.problems],
        }


def answering_settings(settings: Settings, use_model: bool | None) -> Settings:
    """Settings for the Answerer: the model's settings dropped in extractive mode."""
    configured = bool(settings.openai_api_key or settings.openai_base_url)
    if use_model and not configured:
        raise ConfigError(messages.SIM_WITH_MODEL_NEEDS_MODEL)
    if use_model is False or not configured:
        return dataclasses.replace(
            settings, openai_api_key=None, openai_base_url=None, tone_model=None
        )
    return settings


def mode_of(settings: Settings, answerer) -> str:
    if answerer.model is None:
        return "extractive"
    tone = f"+tone:{settings.tone_model}" if answerer.restyler is not None else ""
    return f"model:{settings.answer_model}{tone}"


def read_questions(inputs: Sequence[Path], options: SimOptions) -> tuple[list, list[Problem]]:
    """(key, conversation) pairs to replay, and the input records that were skipped."""
    problems: list[Problem] = []
    conversations = read_conversations(inputs, agent_ids=options.agent_ids, problems=problems)
    questions = list(unique_questions(conversations, options.limit))
    if not questions:
        detail = "; ".join(map(str, problems[:3]))
        raise DeskbotError(
            messages.SIM_NO_QUESTIONS.format(inputs=", ".join(map(str, inputs)))
            + (f" ({detail})" if detail else "")
        )
    return questions, problems


def build_simulator(
    settings: Settings, options: SimOptions, retriever, llm_client=None
) -> tuple[Simulator, PriceTable]:
    """The Simulator over the bot's own Answerer (own in-memory Store), and its prices."""
    from bot.store import Store
    from bot.wiring import build_answerer

    used = answering_settings(settings, options.use_model)
    prices = load_prices(used.prices_file)
    answerer = build_answerer(
        used, retriever=retriever, store=Store(":memory:"), llm_client=llm_client, prices=prices
    )
    mode = mode_of(used, answerer)
    estimator = None
    if mode == "extractive":
        estimator = CostEstimator(settings.answer_model, prices)
    results = ResultsFile(results_path(options.report))
    if options.fresh:
        results.reset()
    simulator = Simulator(
        answerer,
        retriever.embedder,
        results,
        mode=mode,
        estimator=estimator,
        secrets=settings.secrets(),
    )
    return simulator, prices


def simulate(
    settings: Settings,
    inputs: Sequence[Path],
    options: SimOptions,
    *,
    retriever=None,
    progress=None,
    llm_client=None,
) -> Outcome:
    """Replay `inputs` and write the report; raises KeyboardInterrupt with results kept."""
    from bot.wiring import build_retriever

    questions, problems = read_questions(inputs, options)
    owned = retriever is None
    if retriever is None:
        retriever = build_retriever(settings)
    try:
        return _replay(
            settings, inputs, options, questions, problems, retriever, progress, llm_client
        )
    finally:
        if owned:
            retriever.index.close()  # the embedded index has one owner: let the next one in


def _replay(settings, inputs, options, questions, problems, retriever, progress, llm_client):
    simulator, prices = build_simulator(settings, options, retriever, llm_client)
    mode, results = simulator.mode, simulator.results
    other = {m: n for m, n in results.modes().items() if m != mode}
    workers = options.workers or (2 if mode == "extractive" else 8)
    stats = simulator.run(questions, workers=workers, progress=progress)
    stored = results.read(mode)
    records = [stored[key] for key, _ in questions if key in stored]
    summary = summarize(
        records,
        volume=options.volume,
        mode=mode,
        model=settings.answer_model,
        prices_as_of=prices.as_of,
    )
    topics = gap_topics(records, retriever.embedder, options)
    note = cost_note(summary, prices)
    ctx = ReportContext(
        title="deskbot simulation",
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        inputs=[str(p) for p in inputs],
        gap_similarity=options.gap_similarity,
        cost_note=note,
        skipped=[str(p) for p in problems],
        alert=fallback_alert(summary),
    )
    write_atomic(options.report, render(summary, records, topics, ctx, secrets=settings.secrets()))
    return Outcome(
        stats, summary, topics, records, options.report, results.path, problems, other, note
    )


def gap_records(records: Sequence[Record], gap_similarity: float) -> list[Record]:
    """Questions the wiki did not cover, or answered far from what the agent said."""
    return [
        r
        for r in records
        if not r.covered or (r.similarity is not None and r.similarity < gap_similarity)
    ]


def gap_topics(records: Sequence[Record], embedder, options: SimOptions) -> list[Topic]:
    gaps = gap_records(records, options.gap_similarity)
    return cluster(
        [r.question for r in gaps],
        embedder,
        contexts=[f"{r.question}\n{r.agent_answer}".strip() for r in gaps],
        threshold=options.cluster_threshold,
    )


def fallback_alert(summary: Summary) -> str:
    """What to say first about fallback answers: the model never answered, or some; or ""."""
    if summary.model_never_answered:
        return messages.SIM_MODEL_NEVER_ANSWERED.format(
            model=summary.model, fallback=summary.fallback
        )
    if summary.fallback:
        return messages.SIM_FALLBACK_SOME.format(
            fallback=summary.fallback, questions=summary.questions
        )
    return ""


def cost_note(summary: Summary, prices) -> str:
    model = summary.model or "the model"
    if summary.model_never_answered:
        return messages.SIM_COST_NONE
    if prices.lookup(model) is None:
        return messages.SIM_COST_UNPRICED.format(model=model, as_of=prices.as_of)
    template = (
        messages.SIM_COST_ESTIMATED
        if summary.cost_basis == "estimated"
        else messages.SIM_COST_MEASURED
    )
    return template.format(model=model, as_of=prices.as_of)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def headline(summary: Summary, note: str, secrets: Sequence[str] = ()) -> str:
    """The summary in one sentence, for the terminal."""
    fallback = ""
    if summary.fallback:
        template = (
            messages.SIM_HEADLINE_ALL_FALLBACK
            if summary.fallback == summary.answered
            else messages.SIM_HEADLINE_FALLBACK
        )
        fallback = template.format(fallback=summary.fallback)
    text = messages.SIM_HEADLINE.format(
        answered=summary.answered,
        fallback=fallback,
        questions=summary.questions,
        answered_share=_pct(summary.answered_share),
        hits=summary.citation_hits,
        linked=summary.with_link,
        hit_rate=_pct(summary.citation_hit_rate),
        similarity="–" if summary.median_similarity is None else f"{summary.median_similarity:.2f}",
        p50=_secs(summary.latency_p50_s),
        p95=_secs(summary.latency_p95_s),
        cost=f"${summary.projected_monthly_cost_usd:,.2f}",
        volume=f"{summary.volume_per_month:,}",
        basis=note,
    )
    return redact(text, secrets)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"
