"""`deskbot tune ...` (tone-model toolkit)."""

import click


@click.group()
def tune() -> None:
    """Tone-model toolkit: prepare, validate, estimate, launch, status, check, eval."""
