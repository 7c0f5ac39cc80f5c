"""`deskbot ask` and `deskbot chat`."""

import click


@click.command()
@click.argument("question")
def ask(question: str) -> None:
    """Answer a question from the index, with numbered sources."""
    raise click.ClickException("not built yet")


@click.command()
def chat() -> None:
    """Interactive chat that keeps the thread's history."""
    raise click.ClickException("not built yet")
