"""The Slack Web API client and the checks on the tokens it needs.

`SLACK_API_URL` points the client elsewhere (the tests' fake Slack, an
enterprise proxy). Rate limits (429 + Retry-After), 5xx answers and dropped
connections are retried in slack_sdk's retry loop with our waits (`retry.py` says why).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from bot.slack.retry import retry_handlers
from deskbot.core import messages
from deskbot.core.config import Settings
from deskbot.core.errors import ConfigError

DEFAULT_API_URL = "https://slack.com/api/"
API_TIMEOUT = 15  # seconds per Web API call

# (variable, prefix, what it is, where the app's settings page shows it)
BOT_TOKEN = ("SLACK_BOT_TOKEN", "xoxb-", "Bot User OAuth Token", "OAuth & Permissions")
APP_TOKEN = (
    "SLACK_APP_TOKEN",
    "xapp-",
    "App-Level Token with the connections:write scope",
    "Basic Information → App-Level Tokens",
)
SIGNING_SECRET = (
    "SLACK_SIGNING_SECRET",
    "",
    "Signing Secret",
    "Basic Information → App Credentials",
)


def api_base_url(settings: Settings) -> str:
    """SLACK_API_URL, or Slack's own, ending in "/"."""
    base_url = settings.slack_api_url or DEFAULT_API_URL
    return base_url if base_url.endswith("/") else base_url + "/"


def build_web_client(settings: Settings) -> WebClient:
    """A WebClient for the bot token, pointed at SLACK_API_URL, with retries attached."""
    return _web_client(settings, settings.slack_bot_token)


def app_web_client(settings: Settings) -> WebClient:
    """The same for the app-level token (apps.connections.open only)."""
    return _web_client(settings, settings.slack_app_token)


def _web_client(settings: Settings, token: str | None) -> WebClient:
    return WebClient(
        token=token,
        base_url=api_base_url(settings),
        timeout=API_TIMEOUT,
        retry_handlers=retry_handlers(),
    )


def check_tokens(settings: Settings, *, http: bool) -> None:
    """Raise ConfigError naming the variable when a token the mode needs is missing or malformed."""
    needed = [BOT_TOKEN, SIGNING_SECRET] if http else [BOT_TOKEN, APP_TOKEN]
    for name, prefix, what, where in needed:
        value = getattr(settings, name.lower())
        if not value:
            raise ConfigError(
                messages.SLACK_TOKEN_MISSING.format(
                    name=name, prefix=prefix or "a hex string ", what=what, where=where
                )
            )
        if prefix and not value.startswith(prefix):
            raise ConfigError(
                messages.SLACK_TOKEN_MALFORMED.format(
                    name=name, prefix=prefix, what=what, where=where, start=value[:5]
                )
            )


def check_connection(client: WebClient) -> dict:
    """auth.test: who the bot is, or a ConfigError that says what to fix."""
    data = _checked(client.auth_test, client, messages.SLACK_AUTH_FAILED).data
    if not isinstance(data, dict):  # auth.test answers JSON; anything else is not Slack
        raise ConfigError(
            messages.SLACK_UNREACHABLE.format(url=client.base_url, error="not a JSON answer")
        )
    return data


def check_app_token(client: WebClient) -> None:
    """apps.connections.open with the app-level token, or a ConfigError that says what to fix."""
    open_connection = partial(client.apps_connections_open, app_token=client.token or "")
    _checked(open_connection, client, messages.SLACK_APP_TOKEN_REJECTED)


def _checked(call: Callable[[], SlackResponse], client: WebClient, rejected: str) -> SlackResponse:
    """`call()`, with Slack's refusal as ConfigError(`rejected` naming Slack's error) and a
    Slack out of reach as ConfigError(SLACK_UNREACHABLE)."""
    try:
        return call()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        raise ConfigError(rejected.format(error=error)) from None
    except (SlackClientError, OSError) as exc:
        raise ConfigError(
            messages.SLACK_UNREACHABLE.format(url=client.base_url, error=type(exc).__name__)
        ) from None
