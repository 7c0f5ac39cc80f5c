"""`deskbot serve`: the Slack bot, in Socket Mode (default) or HTTP mode (--http)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from bot.cli import friendly_errors, load_settings
from bot.config import Settings


@click.command()
@click.option(
    "--http",
    "http_mode",
    is_flag=True,
    help="Serve Slack's HTTP API on /slack/events (and /healthz) instead of Socket Mode.",
)
@click.option("--port", type=int, default=None, help="HTTP port (default: PORT, else 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP address to bind.")
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, http_mode: bool, port: int | None, host: str) -> None:
    """Run the Slack bot (Socket Mode with SLACK_APP_TOKEN, or HTTP with --http)."""
    from bot.slack.app import build_app
    from bot.slack.client import build_web_client, check_connection, check_tokens
    from bot.slack.server import HttpServer, require_server, serve_socket_mode
    from bot.store import Store
    from bot.wiring import build_answerer, build_embedder, build_index, build_retriever

    settings = load_settings(ctx)
    check_tokens(settings, http=http_mode)
    client = build_web_client(settings)
    identity = check_connection(client)
    click.echo(
        f"Connected to Slack as @{identity.get('user')} in {identity.get('team')}.", err=True
    )
    if http_mode:
        require_server()
    index = build_index(settings)
    embedder = build_embedder(settings)
    store = Store(settings.db_path)
    retriever = build_retriever(settings, index=index, embedder=embedder)
    app = build_app(
        settings,
        answerer=build_answerer(settings, retriever=retriever, store=store),
        store=store,
        reindex=build_reindex(settings, index, embedder),
        client=client,
    )
    if http_mode:
        HttpServer(app, host=host, port=port or settings.port).serve_forever()
    else:
        serve_socket_mode(app, settings.slack_app_token or "")


def build_reindex(settings: Settings, index, embedder) -> Callable:
    """`reindex(specs, progress) -> SyncReport` over the index the bot already holds."""
    from ingest.progress import LogProgress
    from ingest.sources import open_source
    from ingest.sync import Syncer, sync_sources

    syncer = Syncer(index, embedder)

    def reindex(specs: Sequence[str], progress: Callable[[str], None]):
        sources = [open_source(spec, settings) for spec in specs]
        return sync_sources(sources, syncer, lambda: LogProgress(every=5.0, emit=progress))

    return reindex
