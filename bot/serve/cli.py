"""`deskbot serve`: one process for every configured transport, the CLI's control socket, /healthz.

Order matters: tokens are checked against Slack first (seconds), then the index and
the embedding model are loaded once (the heavy part), then the transports start
around that one runtime. Slack is the transport today; Teams plugs in beside it in
`build_transports` (when TEAMS_APP_ID is set) with the same Transport protocol.
"""

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
@click.option(
    "--host", default="0.0.0.0", show_default=True, help="Address for HTTP mode and HEALTH_PORT."
)
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, http_mode: bool, port: int | None, host: str) -> None:
    """Run the bot: Slack in Socket Mode (SLACK_APP_TOKEN) or HTTP mode (--http).

    HTTP mode serves Slack's Request URL at /slack/events and a health check at
    /healthz; in Socket Mode, HEALTH_PORT serves /healthz. While it runs, `deskbot
    search/ask/status/ingest` reach it through a control socket in DESKBOT_DATA_DIR.
    SIGTERM/SIGINT let answers in flight finish (SHUTDOWN_GRACE_SECONDS) before exit.
    """
    from bot.serve.process import serve_until_stopped
    from bot.serve.runtime import open_runtime
    from bot.serve.shutdown import Shutdown
    from bot.slack.transport import check_slack
    from deskbot.core import messages

    settings = load_settings(ctx)
    client, identity = check_slack(settings, http=http_mode)
    app_ok = "" if http_mode else messages.SERVE_SLACK_APP_OK
    click.echo(
        messages.SERVE_SLACK_OK.format(
            user=identity.get("user"), team=identity.get("team"), app=app_ok
        ),
        err=True,
    )
    shutdown = Shutdown().install()  # a signal while loading still stops cleanly afterwards
    runtime = open_runtime(settings)
    transports = build_transports(settings, runtime, client, http_mode, host, port)
    failure = serve_until_stopped(runtime, transports, shutdown, health_host=host)
    if failure is not None:
        raise failure


def build_transports(settings, runtime, client, http_mode: bool, host: str, port: int | None):
    """Every configured transport around the one runtime (Slack; Teams joins here)."""
    from bot.serve.health import checks_for, health_report
    from bot.serve.transport import Transport
    from bot.slack.transport import SlackHttp, SlackSocketMode

    transports: list[Transport] = []
    slack: Transport
    if http_mode:

        def health():
            return health_report(checks_for(runtime.health, transports))

        slack = SlackHttp(
            settings, runtime, client, host=host, port=port or settings.port, health=health
        )
    else:
        slack = SlackSocketMode(settings, runtime, client)
    transports.append(slack)
    return transports
