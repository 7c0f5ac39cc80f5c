"""`deskbot` command line: a registry of sub-commands, each imported only when it runs.

`deskbot --help` lists the commands from the short help written here, so it imports
none of them (nor openai, torch or qdrant). Each command lives beside the code it
drives and takes its shared helpers from deskbot.core.clikit.
"""

from __future__ import annotations

import click

from deskbot.core.clikit import LazyGroup

# name -> ("module:attribute", short help shown by `deskbot --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": (
        "bot.cli_index:ingest",
        "Index sources (folders, Confluence) into the knowledge index.",
    ),
    "search": ("bot.cli_index:search", "Show the passages that best match a question."),
    "status": ("bot.cli_index:status", "Show what the index holds: sources, pages, chunks, model."),
    "embedder": (
        "bot.cli_model:embedder",
        "Prepare the embedding model (ONNX export, checked against torch); show its backend.",
    ),
    "ask": ("bot.cli_answer:ask", "Answer a question from the index, with numbered sources."),
    "chat": ("bot.cli_answer:chat", "Interactive chat that keeps the thread's history."),
    "serve": ("bot.serve.cli:serve", "Run the bot: Slack and/or Teams in one process."),
    "teams": ("bot.teams.cli:teams", "Microsoft Teams: build the app package (teams package)."),
    "tune": ("deskbot.tune.cli:tune", "Tone-model toolkit: prepare, validate, estimate, launch, …"),
    "simulate": (
        "deskbot.sim.cli:simulate",
        "Replay past tickets through deskbot; write a report.",
    ),
    "gaps": ("deskbot.sim.cli:gaps", "Knowledge gaps from unanswered questions and 👎 feedback."),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="deskbot")
def main() -> None:
    """deskbot: answers staff questions from your wiki, with sources.

    Settings come from the environment and ./.env (see .env.example).
    """
