"""`deskbot tune eval`: base vs tone model side by side, with an HTML report."""

from __future__ import annotations

from pathlib import Path

import click

from deskbot.core.clikit import friendly_errors, load_settings
from deskbot.core.config import Settings
from deskbot.core.progress import terminal_progress
from deskbot.tune.evaluate import read_cases, run_eval, table
from deskbot.tune.report import write_report


def load_embedder(settings: Settings):
    """`texts -> unit vectors` with the configured local embedding model (EMBEDDING_BACKEND)."""
    from bot.wiring import build_embedder

    return build_embedder(settings).encode_documents


def chat_models(settings: Settings, base: str, tone: str, base_url: str | None):
    """(base ChatModel, tone ChatModel): the answer endpoint and the tone endpoint."""
    from bot.llm import ChatModel, build_openai_client

    timeout = settings.llm_timeout
    base_client = build_openai_client(
        settings.openai_api_key, base_url or settings.openai_base_url, timeout
    )
    tone_client = build_openai_client(
        settings.tone_api_key or settings.openai_api_key,
        base_url or settings.tone_base_url or settings.openai_base_url,
        timeout,
    )
    key = "TONE_API_KEY" if settings.tone_api_key else "OPENAI_API_KEY"
    retries = settings.llm_max_retries
    return (
        ChatModel(base_client, base, max_retries=retries),
        ChatModel(tone_client, tone, max_retries=retries, key_setting=key),
    )


@click.command("eval")
@click.argument("held_out", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", "tone", required=True, help="The tone model (e.g. ft:gpt-4o-mini-…).")
@click.option("--base", required=True, help="The base model to compare with.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("tone_eval.html"),
    show_default=True,
    help="HTML report to write.",
)
@click.option("--limit", type=click.IntRange(1), help="Evaluate only the first N conversations.")
@click.option("--base-url", help="One endpoint for both models (default: OPENAI_/TONE_BASE_URL).")
@click.pass_context
@friendly_errors
def evaluate(ctx, held_out, tone, base, report_path, limit, base_url) -> None:
    """Compare replies of BASE and the tone model on held-out conversations (VAL.jsonl)."""
    from bot.tone import Restyler

    settings = load_settings(ctx)
    cases = read_cases(held_out, limit)
    base_model, tone_model = chat_models(settings, base, tone, base_url)
    progress = terminal_progress("conversations")
    progress.start(len(cases), "evaluating")
    try:
        result = run_eval(
            cases,
            base_model,
            tone_model,
            Restyler(tone_model),
            load_embedder(settings),
            progress=progress,
        )
    finally:
        progress.close()
    for line in table(result):
        click.echo(line)
    click.echo(f"Report: {write_report(result, report_path)}")
