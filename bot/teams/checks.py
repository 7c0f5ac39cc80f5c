"""Teams settings checked before anything starts: each problem names its variable and fix.

`check_settings` reads only the settings; `check_credentials` asks Microsoft Entra for
the bot's token once, so `deskbot serve` reports a wrong secret before it loads the
index and the model (as Slack's tokens are checked with auth.test).
"""

from __future__ import annotations

import re

from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import ConfigError

GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def check_app_id(settings: Settings) -> str:
    """TEAMS_APP_ID, which must be a GUID (it is the manifest's botId too)."""
    app_id = settings.teams_app_id
    if not app_id:
        raise ConfigError(messages.TEAMS_APP_ID_MISSING)
    if not GUID.fullmatch(app_id):
        raise ConfigError(messages.TEAMS_APP_ID_MALFORMED.format(start=app_id[:8]))
    return app_id


def check_settings(settings: Settings) -> None:
    """What serving Teams needs: app id, secret, and whose tenants to answer."""
    check_app_id(settings)
    if not settings.teams_app_password:
        raise ConfigError(messages.TEAMS_PASSWORD_MISSING)
    if not settings.teams_allowed_tenant_ids:
        raise ConfigError(messages.TEAMS_TENANTS_MISSING)


def check_credentials(settings: Settings) -> None:
    """Entra issues the bot a Bot Connector token; else TeamsError (refused: names the settings)."""
    import asyncio

    from bot.teams.tokens import CONNECTOR_AUDIENCE, CONNECTOR_SCOPE, tokens_for

    tokens = tokens_for(settings)
    asyncio.run(tokens.get_access_token(CONNECTOR_AUDIENCE, [CONNECTOR_SCOPE]))
