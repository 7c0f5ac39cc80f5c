"""`deskbot tune launch | status | check | eval`: the steps that talk to a provider.

The endpoint is `--base-url`, else TONE_BASE_URL, else OPENAI_BASE_URL (else
OpenAI); the key is TONE_API_KEY, else OPENAI_API_KEY. Works with any
OpenAI-compatible fine-tuning API. The registry of tone models defaults to
`<DESKBOT_DATA_DIR>/tone_models.json`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from deskbot.core import messages
from deskbot.core.clikit import friendly_errors, load_settings
from deskbot.core.config import Settings
from deskbot.core.errors import TuneError
from deskbot.tune import jobs, registry
from deskbot.tune.check import check_models
from deskbot.tune.cli_data import DEFAULT_MODEL, _validate, print_report
from deskbot.tune.provider import make_client
from deskbot.tune.watch import MAX_INTERVAL, JobDisplay, follow

base_url_option = click.option(
    "--base-url", help="OpenAI-compatible API root (default: TONE_BASE_URL, then OPENAI_BASE_URL)."
)
registry_option = click.option(
    "--registry",
    "registry_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tone-model registry (default: DESKBOT_DATA_DIR/tone_models.json).",
)
interval_option = click.option(
    "--interval",
    type=click.FloatRange(0, MAX_INTERVAL),
    default=10.0,
    show_default=True,
    help="Seconds between polls (at most 300).",
)


def tuning_client(settings: Settings, base_url: str | None):
    return make_client(
        settings.tone_api_key or settings.openai_api_key,
        base_url or settings.tone_base_url or settings.openai_base_url,
        timeout=settings.llm_timeout * 2,
        max_retries=settings.llm_max_retries,
    )


def open_registry(settings: Settings, path: Path | None) -> registry.Registry:
    return registry.Registry.load(path or registry.default_path(settings.data_dir))


def _refuse_invalid(ctx, path: Path, model: str, held_out: bool = False) -> str:
    report = _validate(path, model, ctx, held_out)
    if not report.ok:
        print_report(report, 20)
        raise TuneError(messages.TUNE_INVALID_FILE.format(path=path, errors=len(report.errors)))
    return report.kind or "chat"


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--val", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Validation JSONL."
)
@click.option(
    "--model", default=DEFAULT_MODEL, show_default=True, help="Base model snapshot to tune."
)
@click.option("--epochs", type=click.IntRange(1, 50), help="n_epochs (default: provider's auto).")
@click.option("--batch-size", type=click.IntRange(1, 256), help="batch_size (default: auto).")
@click.option(
    "--lr-multiplier", type=click.FloatRange(0, 10, min_open=True), help="learning_rate_multiplier."
)
@click.option("--suffix", help="Up to 64 characters added to the model name.")
@click.option("--seed", type=int, help="Seed for a reproducible job.")
@click.option(
    "--file-timeout",
    type=click.FloatRange(0, 3600),
    default=300,
    show_default=True,
    help="Seconds to wait for the provider to process the uploads.",
)
@click.option(
    "--interval",
    type=click.FloatRange(0, MAX_INTERVAL),
    default=5.0,
    show_default=True,
    help="Seconds between checks of the uploads.",
)
@base_url_option
@registry_option
@click.pass_context
@friendly_errors
def launch(
    ctx,
    file,
    val,
    model,
    epochs,
    batch_size,
    lr_multiplier,
    suffix,
    seed,
    file_timeout,
    interval,
    base_url,
    registry_path,
) -> None:
    """Validate, upload and start a fine-tuning job; prints the job id."""
    settings = load_settings(ctx)
    if suffix and len(suffix) > 64:
        raise click.BadParameter(
            messages.TUNE_SUFFIX_TOO_LONG.format(most=64), param_hint="--suffix"
        )
    kind = _refuse_invalid(ctx, file, model)
    if val:
        _refuse_invalid(ctx, val, model, held_out=True)
    client = tuning_client(settings, base_url)
    hyper = {
        "n_epochs": epochs,
        "batch_size": batch_size,
        "learning_rate_multiplier": lr_multiplier,
    }
    job, entry = jobs.launch(
        client,
        file,
        model=model,
        val=val,
        kind=kind,
        hyperparameters=hyper,
        suffix=suffix,
        seed=seed,
        waiting=jobs.Waiting(file_timeout=file_timeout, interval=interval),
    )
    book = open_registry(settings, registry_path)
    book.add(entry)
    book.save()
    click.echo(f"Started fine-tuning job {job.id} ({job.status}) on {model}.")
    click.echo(f"Follow it with: deskbot tune status {job.id} --watch")


@click.command()
@click.argument("job_id")
@click.option("--watch", is_flag=True, help="Keep polling until the job ends.")
@interval_option
@click.option("--timeout", type=click.FloatRange(0), help="Stop watching after this many seconds.")
@base_url_option
@registry_option
@click.pass_context
@friendly_errors
def status(ctx, job_id, watch, interval, timeout, base_url, registry_path) -> None:
    """Status and events of a job; on success, registers the model and prints TONE_MODEL=…"""
    settings = load_settings(ctx)
    client = tuning_client(settings, base_url)
    display = JobDisplay(click.echo, bar=watch and sys.stderr.isatty())
    job = follow(client, job_id, display, watch=watch, interval=interval, timeout=timeout)
    if job.status == "succeeded":
        book = open_registry(settings, registry_path)
        entry = jobs.entry_for_success(client, job, book.find(job.id))
        book.add(entry)
        book.save()
        click.echo(f"Registered {entry.model} in {book.path}")
        click.echo(messages.TUNE_ENV_LINE)
        click.echo(f"TONE_MODEL={entry.model}")
    elif job.status == "failed":
        error = getattr(job, "error", None)
        detail = getattr(error, "message", None) or "no reason given"
        raise TuneError(messages.TUNE_JOB_FAILED.format(job_id=job.id, detail=detail))


@click.command()
@click.option(
    "--soon-days",
    type=click.IntRange(0),
    default=90,
    show_default=True,
    help="Warn when a model shuts down within this many days.",
)
@base_url_option
@registry_option
@click.pass_context
@friendly_errors
def check(ctx, soon_days, base_url, registry_path) -> None:
    """Ask the provider whether each registered tone model and its base still exist."""
    settings = load_settings(ctx)
    book = open_registry(settings, registry_path)
    if not book.models():
        click.echo(messages.TUNE_NO_MODELS.format(path=book.path))
        return
    results = check_models(tuning_client(settings, base_url), book.models(), soon_days=soon_days)
    for result in results:
        click.echo(f"{'OK  ' if result.ok else 'WARN'} {result.model} (base {result.base})")
        for finding in result.findings:
            click.echo(f"     {finding.level}: {finding.text}")
    if any(f.level == "error" for r in results for f in r.findings):
        sys.exit(1)
