"""`deskbot simulate` and `deskbot gaps`."""

import click


@click.command()
def simulate() -> None:
    """Replay past tickets through deskbot and write a report."""
    raise click.ClickException("not built yet")


@click.command()
def gaps() -> None:
    """Knowledge gaps from unanswered questions and negative feedback."""
    raise click.ClickException("not built yet")
