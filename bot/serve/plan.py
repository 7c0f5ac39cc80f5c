"""Which transports `deskbot serve` runs, on which ports, and the checks made before loading.

Without --slack/--teams every configured transport runs: Slack when SLACK_BOT_TOKEN is
set, Teams when TEAMS_APP_ID is set. --http is Slack's HTTP mode: it asks for Slack and
leaves Teams as it was (so `deskbot serve --http` serves Teams too when it is configured).
A transport asked for but not configured fails its own check, which names the setting.
Everything here runs before the index and the embedding model load (the heavy part),
so a wrong token or secret is reported in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import ConfigError


@dataclass(frozen=True)
class Plan:
    slack: bool
    teams: bool
    http: bool  # Slack in HTTP mode (else Socket Mode)
    host: str
    port: int  # Slack's HTTP mode
    teams_port: int

    @property
    def names(self) -> list[str]:
        return [name for name, on in (("slack", self.slack), ("teams", self.teams)) if on]


def plan_transports(
    settings: Settings,
    *,
    slack: bool = False,
    teams: bool = False,
    http: bool = False,
    host: str = "0.0.0.0",
    port: int | None = None,
    teams_port: int | None = None,
) -> Plan:
    """The transports asked for (--slack, --teams), else every configured one; --http adds Slack."""
    if not (slack or teams):
        slack, teams = bool(settings.slack_bot_token), bool(settings.teams_app_id)
        if not (slack or teams or http):
            raise ConfigError(messages.SERVE_NO_TRANSPORT)
    plan = Plan(
        slack=slack or http,
        teams=teams,
        http=http,
        host=host,
        port=settings.port if port is None else port,
        teams_port=settings.teams_port if teams_port is None else teams_port,
    )
    check_ports(plan, settings.health_port)
    return plan


def check_ports(plan: Plan, health_port: int | None) -> None:
    """Two of our own listeners on one port would fail late and obscurely: say so now."""
    listeners = [
        ("Slack's HTTP mode", plan.port if plan.slack and plan.http else None),
        ("Teams", plan.teams_port if plan.teams else None),
        ("HEALTH_PORT", health_port),
    ]
    taken: dict[int, str] = {}
    for name, port in listeners:
        if not port:  # unused, or 0: any free port
            continue
        if port in taken:
            raise ConfigError(
                messages.SERVE_PORT_CLASH.format(first=taken[port], second=name, port=port)
            )
        taken[port] = name


def check_before_loading(settings: Settings, plan: Plan, say: Callable[[str], None]) -> Any:
    """Settings first (instant), then each platform accepts our credentials; Slack's client.

    Returns the Slack WebClient (None without Slack); raises ConfigError naming the setting."""
    if plan.teams:
        from bot.teams.checks import check_settings

        check_settings(settings)
    client = None
    if plan.slack:
        from bot.slack.transport import check_slack

        client, identity = check_slack(settings, http=plan.http)
        app_ok = "" if plan.http else messages.SERVE_SLACK_APP_OK
        user, team = identity.get("user"), identity.get("team")
        say(messages.SERVE_SLACK_OK.format(user=user, team=team, app=app_ok))
    if plan.teams:
        from bot.teams.checks import check_credentials

        check_credentials(settings)
        say(messages.SERVE_TEAMS_OK.format(app=settings.teams_app_id, port=plan.teams_port))
    return client
