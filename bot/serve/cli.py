"""`deskbot serve`: one process for every configured transport, the CLI's control socket, /healthz.

Order matters: which transports run and on which ports is settled first, then their
credentials are checked with Slack and Microsoft Entra (seconds), then the index and
the embedding model are loaded once (the heavy part), then every transport starts
around that one runtime (`build_transports`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from deskbot.core.clikit import friendly_errors, load_settings

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.serve.plan import Plan
    from bot.serve.runtime import Runtime
    from bot.serve.transport import Transport
    from deskbot.core.config import Settings


@click.command()
@click.option("--slack", "want_slack", is_flag=True, help="Serve Slack (needs SLACK_BOT_TOKEN).")
@click.option(
    "--teams", "want_teams", is_flag=True, help="Serve Microsoft Teams (needs TEAMS_APP_ID)."
)
@click.option(
    "--http",
    "http_mode",
    is_flag=True,
    help="Slack in HTTP mode: /slack/events (and /healthz) on --port instead of Socket Mode.",
)
@click.option(
    "--port", type=int, default=None, help="Slack's HTTP mode port (default: PORT, else 3000)."
)
@click.option(
    "--teams-port",
    type=int,
    default=None,
    help="Teams' port: POST /api/messages and GET /healthz (default: TEAMS_PORT, else 3978).",
)
@click.option(
    "--host", default="0.0.0.0", show_default=True, help="Address every HTTP listener binds."
)
@click.pass_context
@friendly_errors
def serve(
    ctx: click.Context,
    want_slack: bool,
    want_teams: bool,
    http_mode: bool,
    port: int | None,
    teams_port: int | None,
    host: str,
) -> None:
    """Run the bot: Slack and/or Microsoft Teams, one process around one index.

    Without --slack/--teams every configured transport runs: Slack when SLACK_BOT_TOKEN
    is set (Socket Mode with SLACK_APP_TOKEN, or --http with SLACK_SIGNING_SECRET),
    Teams when TEAMS_APP_ID is set (POST /api/messages on --teams-port). /healthz is
    served by Slack's HTTP mode, by Teams, and on HEALTH_PORT when set. On a platform
    with one $PORT: `--http --port $PORT` (Slack) or `--teams-port $PORT` (Teams, with
    Slack in Socket Mode). While it runs, `deskbot search/ask/status/ingest` reach it
    through a control socket in DESKBOT_DATA_DIR. SIGTERM/SIGINT let answers in flight
    be delivered (SHUTDOWN_GRACE_SECONDS) before it exits.
    """
    from bot.serve.plan import check_before_loading, plan_transports
    from bot.serve.process import serve_until_stopped
    from bot.serve.runtime import open_runtime
    from bot.serve.shutdown import Shutdown
    from deskbot.core import messages

    settings = load_settings(ctx)
    plan = plan_transports(
        settings,
        slack=want_slack,
        teams=want_teams,
        http=http_mode,
        host=host,
        port=port,
        teams_port=teams_port,
    )
    client = check_before_loading(settings, plan, lambda line: click.echo(line, err=True))
    shutdown = Shutdown().install()  # a signal while loading still stops cleanly afterwards
    click.echo(messages.SERVE_LOADING, err=True)
    runtime = open_runtime(settings)
    transports = build_transports(settings, runtime, plan, client)
    failure = serve_until_stopped(runtime, transports, shutdown, health_host=host)
    if failure is not None:
        raise failure


def build_transports(
    settings: Settings, runtime: Runtime, plan: Plan, client: WebClient | None
) -> list[Transport]:
    """Every transport in `plan` around the one runtime; each /healthz reports them all."""
    from bot.serve.health import checks_for, health_report

    transports: list[Transport] = []

    def report() -> tuple[bool, dict]:
        return health_report(checks_for(runtime.health, transports))

    if plan.slack:
        from bot.slack.transport import SlackHttp, SlackSocketMode

        assert client is not None  # checked before loading (check_before_loading)
        if plan.http:
            slack: Transport = SlackHttp(
                settings, runtime, client, host=plan.host, port=plan.port, health=report
            )
        else:
            slack = SlackSocketMode(settings, runtime, client)
        transports.append(slack)
    if plan.teams:
        from bot.teams.transport import TeamsTransport  # loads the Teams SDK: only when it runs

        teams = TeamsTransport.from_runtime(
            settings, runtime, host=plan.host, port=plan.teams_port, report=report
        )
        transports.append(teams)
    return transports
