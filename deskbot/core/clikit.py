"""What every `deskbot` command shares: settings read once, errors as one line, lazy groups.

Commands live beside the code they drive (bot/cli_index.py, deskbot/tune/cli.py, …) and
import these two helpers from here, never from the command registry in deskbot/cli.py,
so each command module imports on its own.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from deskbot.core.config import Settings
from deskbot.core.errors import DeskbotError
from deskbot.core.logs import redact, setup_logging

F = TypeVar("F", bound=Callable[..., Any])


def load_settings(ctx: click.Context) -> Settings:
    """Settings for this invocation, read once from the environment (and .env)."""
    root = ctx.find_root()
    if root.obj is None:
        settings = Settings.from_env()
        setup_logging(settings.log_level, settings.secrets())
        root.obj = settings
    return root.obj


def friendly_errors(func: F) -> F:
    """Turn domain errors into `Error: ...` and exit 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeskbotError as exc:
            settings = click.get_current_context().find_root().obj
            secrets = settings.secrets() if settings else ()
            click.echo(f"Error: {redact(str(exc), secrets)}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature; mypy sees a plain callable


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def __init__(self, *args, lazy_commands: dict[str, tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return None
        module, _, attribute = self.lazy[cmd_name][0].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module}:{attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, short) in self.lazy.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
