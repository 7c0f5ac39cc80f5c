"""`deskbot serve`: the Slack bot, in Socket Mode (default) or HTTP mode (--http)."""

from __future__ import annotations

import click

from deskbot.core.clikit import friendly_errors, load_settings


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
    """Run the Slack bot (Socket Mode with SLACK_APP_TOKEN, or HTTP with --http).

    HTTP mode serves Slack's Request URL at /slack/events and a health check at
    /healthz. The tokens come from .env (see manifest.yml to create the app).
    """
    from bot.slack.client import build_web_client, check_connection, check_tokens
    from bot.slack.runtime import build_bot
    from bot.slack.server import HttpServer, require_server, serve_socket_mode

    settings = load_settings(ctx)
    check_tokens(settings, http=http_mode)
    if http_mode:
        require_server()
    client = build_web_client(settings)
    identity = check_connection(client)
    click.echo(f"Connected to Slack as @{identity.get('user')} ({identity.get('team')}).", err=True)
    app = build_bot(settings, client=client)
    if http_mode:
        HttpServer(app, host=host, port=port or settings.port).serve_forever()
    else:
        serve_socket_mode(app, settings.slack_app_token or "")
