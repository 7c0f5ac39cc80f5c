"""`deskbot tune prepare | validate | estimate`: the steps that never need a provider."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from deskbot.core import messages
from deskbot.core.clikit import friendly_errors, load_settings
from deskbot.core.errors import TuneError
from deskbot.core.prices import load_prices
from deskbot.core.progress import terminal_progress, tracked
from deskbot.tune.estimate import estimate as make_estimate
from deskbot.tune.prepare import prepare as prepare_examples
from deskbot.tune.prepare import write_jsonl
from deskbot.tune.readers import Problem, read_conversations
from deskbot.tune.validate import ValidationReport, distribution, validate_file

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"
model_option = click.option(
    "--model",
    default=DEFAULT_MODEL,
    show_default=True,
    help="Model to tune: picks the encoding and the per-example token limit (ft: ids map to their base).",
)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Training JSONL to write.",
)
@click.option("--val", type=click.Path(path_type=Path), help="Also write a validation JSONL here.")
@click.option(
    "--val-split",
    type=click.FloatRange(0, 0.5),
    default=None,
    help="Share held out for --val (default 0.1).",
)
@click.option("--system", default="", help="System message to put first in every example.")
@click.option(
    "--agent",
    "agents",
    multiple=True,
    help="Agent user id (or name) whose replies are the answers; repeatable.",
)
@click.option(
    "--keep-pii", is_flag=True, help="Do not replace e-mails, phones, card numbers and keys."
)
@click.option("--seed", default=0, show_default=True, help="Seed of the train/validation shuffle.")
@click.pass_context
@friendly_errors
def prepare(ctx, inputs, output, val, val_split, system, agents, keep_pii, seed) -> None:
    """Turn past conversations (Zendesk JSON, Slack export, Q/A CSV/JSONL) into chat JSONL."""
    load_settings(ctx)
    if val_split is not None and val is None:
        raise click.UsageError(messages.TUNE_VAL_SPLIT_NEEDS_VAL)
    split = (0.1 if val_split is None else val_split) if val else 0.0
    problems: list[Problem] = []
    conversations = read_conversations(inputs, agent_ids=agents, problems=problems)
    train, held, report = prepare_examples(
        tracked(conversations, terminal_progress("conversations"), "reading"),
        system=system,
        keep_pii=keep_pii,
        val_split=split,
        seed=seed,
        problems=problems,
    )
    for line in report.lines():
        click.echo(line)
    if not train:
        raise TuneError(messages.TUNE_NO_EXAMPLES)
    click.echo(f"Wrote {write_jsonl(output, train)} examples to {output}")
    if val:
        click.echo(f"Wrote {write_jsonl(val, held)} examples to {val}")


def print_report(report: ValidationReport, max_issues: int) -> None:
    for issue in report.issues[:max_issues]:
        click.echo(issue.format(report.path))
    if len(report.issues) > max_issues:
        codes = Counter(i.code for i in report.issues[max_issues:])
        rest = ", ".join(f"{n} {code}" for code, n in codes.most_common())
        click.echo(f"… and {len(report.issues) - max_issues} more ({rest})")
    if report.examples:
        click.echo(f"Distributions over {report.examples} examples ({report.model}):")
        for label, values in (
            ("messages per example", report.messages),
            ("tokens per example", report.tokens),
            ("assistant tokens per example", report.assistant),
        ):
            d = distribution(values)
            click.echo(
                f"  {label}: min {d['min']:g}, max {d['max']:g}, mean {d['mean']:.1f}, "
                f"median {d['median']:g}, p5 {d['p5']:.1f}, p95 {d['p95']:.1f}"
            )
    verdict = "OK" if report.ok else "FAILED"
    click.echo(
        f"{verdict}: {report.examples} {report.kind or 'chat'} examples, "
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)."
    )


def _validate(path: Path, model: str, ctx, held_out: bool = False) -> ValidationReport:
    settings = load_settings(ctx)
    entry = load_prices(settings.prices_file).lookup(model)
    limit = entry.max_example_tokens if entry else None
    return validate_file(path, model=model, limit=limit, held_out=held_out)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option(
    "--max-issues", default=50, show_default=True, help="Issues to list before summing up."
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--held-out", is_flag=True, help="A validation file: no minimum number of examples.")
@click.pass_context
@friendly_errors
def validate(ctx, file: Path, model: str, max_issues: int, as_json: bool, held_out: bool) -> None:
    """Check a fine-tuning JSONL file the way the provider would; exit 1 on any error."""
    report = _validate(file, model, ctx, held_out)
    if as_json:
        payload = {
            "file": str(file),
            "model": model,
            "kind": report.kind,
            "examples": report.examples,
            "issues": [i.__dict__ for i in report.issues],
            "distributions": {
                "messages": distribution(report.messages),
                "tokens": distribution(report.tokens),
                "assistant_tokens": distribution(report.assistant),
            },
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        print_report(report, max_issues)
    if not report.ok:
        sys.exit(1)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option("--epochs", type=click.IntRange(1, 50), help="Epochs (default: the provider's rule).")
@click.option(
    "--prompt-tokens",
    type=click.IntRange(0),
    help="Prompt tokens per answer (default: the file's mean).",
)
@click.option(
    "--completion-tokens",
    type=click.IntRange(0),
    help="Reply tokens per answer (default: the file's mean).",
)
@click.pass_context
@friendly_errors
def estimate(ctx, file: Path, model: str, epochs, prompt_tokens, completion_tokens) -> None:
    """Billed training tokens, training cost and usage cost per 1k answers."""
    settings = load_settings(ctx)
    report = _validate(file, model, ctx)
    if not report.ok:
        print_report(report, 10)
        raise TuneError(messages.TUNE_INVALID_FILE.format(path=file, errors=len(report.errors)))
    mean = lambda values: round(sum(values) / len(values))  # noqa: E731
    completion = completion_tokens if completion_tokens is not None else mean(report.completion)
    if prompt_tokens is None:
        prompt_tokens = mean([t - c for t, c in zip(report.tokens, report.completion, strict=True)])
    result = make_estimate(
        report.tokens,
        model,
        load_prices(settings.prices_file),
        epochs=epochs,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion,
    )
    for line in result.lines():
        click.echo(line)
