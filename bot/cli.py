"""`deskbot` command line. Each command group lives beside the code it drives."""

from __future__ import annotations

import functools
import sys

import click

from bot.config import Settings
from bot.logs import redact, setup_logging
from ingest.errors import DeskbotError


def load_settings(ctx: click.Context) -> Settings:
    """Settings for this invocation, read once from the environment (and .env)."""
    root = ctx.find_root()
    if root.obj is None:
        settings = Settings.from_env()
        setup_logging(settings.log_level, settings.secrets())
        root.obj = settings
    return root.obj


def friendly_errors(func):
    """Turn domain errors into `Error: ...` and exit 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DeskbotError as exc:
            settings = click.get_current_context().find_root().obj
            secrets = settings.secrets() if settings else ()
            click.echo(f"Error: {redact(str(exc), secrets)}", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="deskbot")
def main() -> None:
    """deskbot: answers staff questions from your wiki, with sources.

    Settings come from the environment and ./.env (see .env.example).
    """


def _register() -> None:
    from bot.cli_answer import ask, chat
    from bot.cli_index import ingest, search, status
    from bot.slack.cli import serve
    from sim.cli import gaps, simulate
    from tune.cli import tune

    for command in (ingest, search, status, ask, chat, serve, tune, simulate, gaps):
        main.add_command(command)


_register()
