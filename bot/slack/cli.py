"""`deskbot serve`: the Slack bot."""

import click


@click.command()
def serve() -> None:
    """Run the Slack bot (Socket Mode, or HTTP with --http)."""
    raise click.ClickException("not built yet")
