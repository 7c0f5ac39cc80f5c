"""`deskbot simulate` and `deskbot gaps`."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from deskbot.core import messages
from deskbot.core.clikit import friendly_errors, load_settings
from deskbot.core.logs import redact
from deskbot.sim.clusters import DEFAULT_THRESHOLD
from deskbot.sim.simulate import (
    DEFAULT_GAP_SIMILARITY,
    Outcome,
    SimOptions,
    fallback_alert,
    headline,
)

MAX_PROBLEMS_SHOWN = 10


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="HTML report to write; results go beside it in REPORT.results.jsonl.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N questions.")
@click.option(
    "--with-model/--extractive",
    "use_model",
    default=None,
    help="Answer with the configured model, or quote the wiki without one. "
    "Default: the model when one is configured.",
)
@click.option(
    "--volume",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Questions per month, for the projected cost.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Questions answered at once (default 2 extractive, 8 with a model).",
)
@click.option(
    "--agent",
    "agent_ids",
    multiple=True,
    help="Slack export: user id or name of a support agent (repeatable).",
)
@click.option(
    "--gap-similarity",
    type=click.FloatRange(0, 1),
    default=DEFAULT_GAP_SIMILARITY,
    show_default=True,
    help="Answers less similar than this to the agent's are gaps.",
)
@click.option(
    "--cluster-threshold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Similarity (meaning and shared words) at which gap questions share a topic.",
)
@click.option("--fresh", is_flag=True, help="Forget stored results and start over.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.pass_context
@friendly_errors
def simulate(ctx: click.Context, inputs: tuple[Path, ...], as_json: bool, **options) -> None:
    """Replay past tickets through deskbot and write a report.

    INPUTS are the formats `deskbot tune prepare` reads: a Zendesk export (.json),
    a Slack export folder, or CSV/JSONL with question, answer and optional url.
    An interrupted run continues where it stopped when run again.
    """
    from deskbot.core.progress import terminal_progress
    from deskbot.sim.simulate import simulate as run_simulation

    settings = load_settings(ctx)
    if settings.log_level != "DEBUG":  # a line per answer would drown the progress bar
        logging.getLogger("bot.answer").setLevel(logging.WARNING)
    try:
        outcome = run_simulation(
            settings, list(inputs), SimOptions(**options), progress=terminal_progress("questions")
        )
    except KeyboardInterrupt:
        from deskbot.sim.results import ResultsFile, results_path

        path = results_path(options["report"])
        done = len(ResultsFile(path).read())
        click.echo(messages.SIM_INTERRUPTED.format(done=done, path=path), err=True)
        sys.exit(130)
    _print_outcome(outcome, settings.secrets(), as_json)
    if outcome.summary.model_never_answered:
        sys.exit(1)  # the report was written, but it measured no model


def _print_outcome(outcome: Outcome, secrets: tuple[str, ...], as_json: bool) -> None:
    echo = lambda text: click.echo(redact(text, secrets), err=True)  # noqa: E731
    if alert := fallback_alert(outcome.summary):
        echo(alert)
    if outcome.problems:
        echo(messages.SIM_SKIPPED_ROWS.format(count=len(outcome.problems)))
        for problem in outcome.problems[:MAX_PROBLEMS_SHOWN]:
            echo(f"  {problem}")
        if len(outcome.problems) > MAX_PROBLEMS_SHOWN:
            echo(messages.SIM_SKIPPED_MORE.format(count=len(outcome.problems) - MAX_PROBLEMS_SHOWN))
    stats = outcome.stats
    if stats.skipped:
        echo(messages.SIM_RESUMING.format(
            done=stats.skipped, total=stats.seen, path=outcome.results, todo=stats.seen - stats.skipped
        ))  # fmt: skip
    for mode, count in outcome.other_modes.items():
        echo(messages.SIM_OTHER_MODE.format(path=outcome.results, count=count, mode=mode))
    if stats.failed:
        echo(messages.SIM_FAILED.format(count=stats.failed))
    echo(messages.SIM_DONE.format(
        done=stats.done, seconds=stats.seconds, rate=stats.rate, report=outcome.report
    ))  # fmt: skip
    echo(headline(outcome.summary, outcome.cost_note, secrets))
    if as_json:
        click.echo(redact(json.dumps(outcome.as_json(), indent=2, ensure_ascii=False), secrets))


@click.command()
@click.option(
    "--since",
    "since_days",
    type=click.FloatRange(min=0),
    help="Only questions from the last DAYS days.",
    metavar="DAYS",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Similarity (meaning and shared words) at which questions share a topic.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the topics as JSON.")
@click.pass_context
@friendly_errors
def gaps(ctx: click.Context, since_days: float | None, threshold: float, as_json: bool) -> None:
    """Knowledge gaps from unanswered questions and negative feedback."""
    from bot.store import Store
    from bot.wiring import build_embedder
    from deskbot.sim.gaps import Gaps, format_gaps, store_gaps
    from ingest.embed import LazyEmbedder

    settings = load_settings(ctx)
    path = settings.db_path
    if Path(path).exists():
        store = Store(path)
        try:
            embedder = LazyEmbedder(
                lambda: build_embedder(settings)
            )  # none when nothing to cluster
            result = store_gaps(store, embedder, since_days=since_days, threshold=threshold)
        finally:
            store.close()
    else:
        result = Gaps([], [], since_days)
    text = (
        json.dumps(result.as_json(), indent=2, ensure_ascii=False)
        if as_json
        else format_gaps(result, str(path))
    )
    click.echo(redact(text, settings.secrets()))
