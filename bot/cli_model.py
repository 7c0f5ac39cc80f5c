"""`deskbot embedder`: prepare the embedding model (the ONNX export) and show how it runs."""

from __future__ import annotations

import json

import click

from bot.wiring import build_embedder
from deskbot.core.clikit import friendly_errors, load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@friendly_errors
def embedder(ctx: click.Context, as_json: bool) -> None:
    """Prepare the embedding model and show which backend runs it.

    With EMBEDDING_BACKEND=onnx (the default) the model folder is exported to ONNX
    under EMBEDDING_CACHE_DIR once, checked against torch on fixed texts, and reused
    from then on; `make setup` runs this so the first question is fast. A model the
    ONNX path cannot reproduce runs on torch, and the log says why.
    """
    settings = load_settings(ctx)
    loaded = build_embedder(settings)
    onnx = _onnx_facts(loaded)
    info = {
        "model": loaded.name,
        "model_sha256": loaded.model_sha256,
        "dimension": loaded.dimension,
        "max_seq_length": loaded.max_seq_length,
        "backend": loaded.backend,
        "requested_backend": settings.embedding_backend,
        "onnx": onnx,
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"Model:    {info['model']} ({info['dimension']} dimensions)")
    click.echo(f"Identity: {info['model_sha256'] or 'unknown (not a local folder)'}")
    click.echo(f"Backend:  {info['backend']}")
    if onnx:
        click.echo(
            f"ONNX:     {onnx['path']} (checked against torch on {onnx['texts']} texts, "
            f"lowest cosine {onnx['min_cosine']})"
        )


def _onnx_facts(loaded) -> dict | None:
    from ingest.onnx_cache import read_sidecar

    path = getattr(loaded.encoder, "path", None)
    sidecar = read_sidecar(path.parent) if path is not None else None
    if not sidecar:
        return None
    return {"path": str(path), **(sidecar.get("verified") or {}), "exporter": sidecar["exporter"]}
