"""`deskbot tune ...` (tone-model toolkit).

prepare, validate and estimate work offline; launch, status, check and eval talk
to an OpenAI-compatible API (see tune/cli_jobs.py for which endpoint and key).
"""

import click

from deskbot.tune.cli_data import estimate, prepare, validate
from deskbot.tune.cli_jobs import register


@click.group()
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


for _command in (prepare, validate, estimate):
    tune.add_command(_command)
register(tune)
