"""`deskbot ingest`, `deskbot search`, `deskbot status`."""

import click


@click.command()
def ingest() -> None:
    """Index sources into the knowledge index."""
    raise click.ClickException("not built yet")


@click.command()
def search() -> None:
    """Show the passages that match a question."""
    raise click.ClickException("not built yet")


@click.command()
def status() -> None:
    """Show what the index holds."""
    raise click.ClickException("not built yet")
