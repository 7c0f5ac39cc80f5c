"""`deskbot tune ...` (tone-model toolkit).

prepare, validate and estimate work offline; launch, status, check and eval talk
to an OpenAI-compatible API (see deskbot/tune/cli_jobs.py for which endpoint and key).
Each sub-command is imported when it runs, so `deskbot tune --help` loads no SDK.
"""

import click

from deskbot.core.clikit import LazyGroup

COMMANDS: dict[str, tuple[str, str]] = {
    "prepare": ("deskbot.tune.cli_data:prepare", "Ticket exports -> chat-format JSONL."),
    "validate": ("deskbot.tune.cli_data:validate", "Every provider check, with line numbers."),
    "estimate": ("deskbot.tune.cli_data:estimate", "Billed tokens and training cost, offline."),
    "launch": ("deskbot.tune.cli_jobs:launch", "Upload the data and start a fine-tuning job."),
    "status": ("deskbot.tune.cli_jobs:status", "Show (or --watch) a fine-tuning job."),
    "check": ("deskbot.tune.cli_jobs:check", "Retired, soon-retired or stale tone models."),
    "eval": ("deskbot.tune.cli_eval:evaluate", "Compare base and tone model on held-out data."),
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
def tune() -> None:
    """Tone-model toolkit: prepare, validate, estimate, launch, status, check, eval.

    \b
    deskbot tune prepare tickets.json -o train.jsonl --val val.jsonl
    deskbot tune validate train.jsonl
    deskbot tune estimate train.jsonl --model gpt-4o-mini-2024-07-18
    deskbot tune launch train.jsonl --val val.jsonl --model gpt-4o-mini-2024-07-18
    deskbot tune status JOB_ID --watch
    deskbot tune check
    deskbot tune eval val.jsonl --model ft:… --base gpt-4o-mini-2024-07-18
    """
