"""`deskbot ingest`, `deskbot search`, `deskbot status`.

While `deskbot serve` holds the embedded index, each command goes through the bot's
control socket instead (bot/serve/control_client.py): `ingest` runs as a sync inside the
bot, through the same runner as /reindex. Without a running bot they open the index here.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator

import click

from bot.citations import label
from bot.index_info import index_info, search_json
from bot.serve.control_client import BotClient, local_spec, running_bot
from bot.wiring import build_embedder, build_index, build_retriever, build_source
from deskbot.core import messages
from deskbot.core.clikit import friendly_errors, load_settings
from deskbot.core.errors import ConfigError
from deskbot.core.progress import terminal_progress
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
    bot = running_bot(settings)
    if bot is not None:
        report, summary = _ingest_in_bot(bot, [local_spec(s) for s in specs], rebuild)
    else:
        with build_index(settings) as index:
            if rebuild:
                index.drop()
            embedder = build_embedder(settings)
            synced = sync_sources(
                opened, Syncer(index, embedder), lambda: terminal_progress("pages", "chunks")
            )
            report, summary = synced.as_json(), synced.summary()
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        for problem in report["errors"] + report.get("warnings", []):
            click.echo(f"warning: {problem}", err=True)
        click.echo(summary)
    if report["failed"] and not (report["added"] or report["updated"] or report["unchanged"]):
        sys.exit(1)


def _ingest_in_bot(bot: BotClient, specs: list[str], rebuild: bool) -> tuple[dict, str]:
    """The sync runs inside the bot; its progress lines are shown here as they come."""
    if rebuild:
        raise ConfigError(messages.CONTROL_NO_REBUILD)
    click.echo(messages.CONTROL_VIA_BOT.format(path=bot.path), err=True)
    args = {"specs": specs, "pid": os.getpid()}
    data = bot.call("ingest", args, progress=lambda line: click.echo(line, err=True))
    return data["report"], data["summary"]


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
    with _searcher(settings) as find:
        if question == "-":
            for line in sys.stdin:
                if line.strip():
                    hits = find(line.strip(), k, list(only))["hits"]
                    payload = {"question": line.strip(), "hits": hits}
                    click.echo(json.dumps(payload, ensure_ascii=False))
            return
        found = find(question, k, list(only))
    coverage = found.get("coverage") or {}
    if as_json:
        click.echo(json.dumps({"hits": found["hits"], "coverage": coverage}, ensure_ascii=False))
    elif not found["hits"]:
        click.echo(messages.INDEX_EMPTY if found["empty"] else "No matches.")
    else:
        for n, hit in enumerate(found["hits"], 1):
            click.echo(_format_hit(n, hit, coverage.get("covered", True)))


@contextlib.contextmanager
def _searcher(settings) -> Iterator[Callable[[str, int | None, list[str]], dict]]:
    """search(question, k, sources) -> {"hits", "coverage", "empty"}: in the bot, or here."""
    bot = running_bot(settings)
    if bot is not None:
        yield lambda q, k, only: bot.call("search", {"question": q, "k": k, "sources": only})
        return
    retriever = build_retriever(settings)

    try:
        yield lambda q, k, only: search_json(retriever, q, k, only)
    finally:
        retriever.index.close()


def _format_hit(n: int, hit: dict, covered: bool) -> str:
    where = label(hit["title"], hit["section"])
    mark = "" if covered else "  (not covered)"
    text = hit["text"] if len(hit["text"]) <= 600 else hit["text"][:600].rsplit(" ", 1)[0] + " …"
    return f"[{n}] {where}  score {hit['score']:.3f}{mark}\n    {hit['url']}\n    {text}\n"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@friendly_errors
def status(ctx: click.Context, as_json: bool) -> None:
    """Show what the index holds: sources, pages, chunks, model, last sync.

    With `deskbot serve` running, also which transports it serves and their health."""
    settings = load_settings(ctx)
    bot = running_bot(settings)
    if bot is not None:
        info = bot.call("status", {})
    else:
        with build_index(settings) as index:
            info = index_info(index)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    if info.get("served_by"):
        click.echo(f"Served: by the running bot (pid {info['served_by']})")
        for name, health in (info.get("transports") or {}).items():
            state = "up" if health["ok"] else "DOWN"
            click.echo(f"  {name}: {state} ({health['reason']})")
    if info["model"] is None:
        click.echo(messages.INDEX_EMPTY)
        return
    click.echo(f"Index:  {info['location']}")
    click.echo(f"Model:  {info['model']} ({info['dimension']} dimensions)")
    language = settings.wiki_language or info.get("language")
    origin = "WIKI_LANGUAGE" if settings.wiki_language else "detected at ingest"
    click.echo(f"Language: {language or 'unknown, taken as en'} ({origin})")
    for source, row in info["sources"].items():
        click.echo(
            f"  {source}: {row['pages']} pages, {row['chunks']} chunks, "
            f"last sync {row['last_sync'] or 'never'}"
        )
