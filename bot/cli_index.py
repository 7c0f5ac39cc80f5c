"""`deskbot ingest`, `deskbot search`, `deskbot status`."""

from __future__ import annotations

import json
import sys

import click

from bot.retrieve import Hit
from bot.wiring import build_embedder, build_index, build_retriever, build_source
from deskbot.core import messages
from deskbot.core.clikit import friendly_errors, load_settings
from deskbot.core.errors import ConfigError
from ingest.progress import terminal_progress
from ingest.sync import Syncer, sync_sources


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--rebuild", is_flag=True, help="Drop the index first and embed everything again.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@friendly_errors
def ingest(ctx: click.Context, sources: tuple[str, ...], rebuild: bool, as_json: bool) -> None:
    """Index SOURCES (default: DESKBOT_SOURCES) into the knowledge index.

    A source is a folder of Markdown/HTML/text files (`./wiki`) or Confluence
    spaces (`confluence:ENG`, `confluence:ENG,HR`, or `confluence:` for every
    space the token can read). Re-running is incremental.
    """
    settings = load_settings(ctx)
    specs = sources or settings.sources
    if not specs:
        raise ConfigError(messages.NO_SOURCES)
    opened = [build_source(spec, settings) for spec in specs]  # bad specs fail before any work
    with build_index(settings) as index:
        if rebuild:
            index.drop()
        embedder = build_embedder(settings)
        report = sync_sources(opened, Syncer(index, embedder), terminal_progress)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        for error in report.errors:
            click.echo(f"warning: {error}", err=True)
        click.echo(report.summary())
    if report.failed and not (report.added or report.updated or report.unchanged):
        sys.exit(1)


@click.command()
@click.argument("question")
@click.option(
    "-k", "k", type=int, default=None, help="How many passages (default RETRIEVAL_TOP_K)."
)
@click.option("--source", "only", multiple=True, help="Only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help='One JSON object: {"hits": [...]}.')
@click.pass_context
@friendly_errors
def search(ctx: click.Context, question: str, k: int | None, only: tuple[str, ...], as_json: bool):
    """Show the passages that best match QUESTION (`-`: one question per line on stdin, JSON lines out)."""
    settings = load_settings(ctx)
    retriever = build_retriever(settings)
    try:
        if question == "-":
            for line in sys.stdin:
                if line.strip():
                    hits = retriever.search(line.strip(), k=k, sources=only or None)
                    payload = {"question": line.strip(), "hits": [h.as_json() for h in hits]}
                    click.echo(json.dumps(payload, ensure_ascii=False))
            return
        hits = retriever.search(question, k=k, sources=only or None)
        if as_json:
            click.echo(json.dumps({"hits": [h.as_json() for h in hits]}, ensure_ascii=False))
        elif not hits:
            click.echo(messages.INDEX_EMPTY if retriever.index.count() == 0 else "No matches.")
        else:
            for n, hit in enumerate(hits, 1):
                click.echo(_format_hit(n, hit, retriever.threshold))
    finally:
        retriever.index.close()


def _format_hit(n: int, hit: Hit, threshold: float) -> str:
    where = f"{hit.title} › {hit.section}" if hit.section else hit.title
    mark = "" if hit.score >= threshold else "  (below threshold)"
    text = hit.text if len(hit.text) <= 600 else hit.text[:600].rsplit(" ", 1)[0] + " …"
    return f"[{n}] {where}  score {hit.score:.3f}{mark}\n    {hit.url}\n    {text}\n"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@friendly_errors
def status(ctx: click.Context, as_json: bool) -> None:
    """Show what the index holds: sources, pages, chunks, model, last sync."""
    settings = load_settings(ctx)
    with build_index(settings) as index:
        meta = index.read_meta()
        counts = index.source_counts() if meta else {}
    info = {
        "location": index.location,
        "model": meta.model if meta else None,
        "dimension": meta.dimension if meta else None,
        "sources": {
            source: {
                "pages": pages,
                "chunks": chunks,
                "last_sync": (meta.syncs.get(source) or {}).get("at") if meta else None,
            }
            for source, (pages, chunks) in sorted(counts.items())
        },
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    if meta is None:
        click.echo(messages.INDEX_EMPTY)
        return
    click.echo(f"Index:  {info['location']}")
    click.echo(f"Model:  {meta.model} ({meta.dimension} dimensions)")
    for source, row in info["sources"].items():
        click.echo(
            f"  {source}: {row['pages']} pages, {row['chunks']} chunks, "
            f"last sync {row['last_sync'] or 'never'}"
        )
