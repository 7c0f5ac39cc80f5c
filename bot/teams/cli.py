"""`deskbot teams …`: the Teams app package (the bot itself runs under `deskbot serve`)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

import click

from deskbot.core.clikit import friendly_errors, load_settings

PROJECT_URL = "https://github.com/deskbot/deskbot"


def _version() -> str:
    try:
        return version("deskbot")
    except PackageNotFoundError:
        return "0.1.0"


@click.group()
def teams() -> None:
    """Microsoft Teams: build the app package to upload (see README "Connect to Teams")."""


@teams.command("package")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("deskbot-teams.zip"),
    show_default=True,
    help="Where to write the zip.",
)
@click.option(
    "--endpoint",
    help="The bot's public messaging endpoint (https://host/api/messages); its host is listed "
    "in validDomains and is the default website.",
)
@click.option("--website-url", help="Developer website (default: the endpoint's site).")
@click.option("--privacy-url", help="Privacy statement (default: the website).")
@click.option("--terms-url", help="Terms of use (default: the website).")
@click.option(
    "--developer", default="deskbot", show_default=True, help="Developer name (32 chars)."
)
@click.option("--app-version", help="Package version, semver; raise it for every re-upload.")
@click.option(
    "--rsc/--no-rsc",
    default=None,
    help="Ask for resource-specific consent so mention-less thread replies arrive "
    "(default: TEAMS_RSC_FOLLOWUPS).",
)
@click.pass_context
@friendly_errors
def package(ctx: click.Context, out: Path, endpoint, website_url, privacy_url, terms_url,
            developer: str, app_version, rsc) -> None:  # fmt: skip
    """Write manifest.json and the two icons into a zip ready for Teams (Apps → Upload)."""
    from bot.teams.checks import check_app_id
    from bot.teams.manifest import PackageInfo, https_url, write_package
    from deskbot.core import messages

    settings = load_settings(ctx)
    bot_id = check_app_id(settings)
    domains: tuple[str, ...] = ()
    if endpoint:
        https_url("--endpoint", endpoint)
        domains = (urlsplit(endpoint).hostname or "",)
        website_url = website_url or f"https://{domains[0]}/"
    website = https_url("--website-url", website_url or PROJECT_URL)
    info = PackageInfo(
        bot_id=bot_id,
        version=app_version or _version(),
        website_url=website,
        privacy_url=https_url("--privacy-url", privacy_url or website),
        terms_url=https_url("--terms-url", terms_url or website),
        developer=developer,
        domains=domains,
        rsc=settings.teams_rsc_followups if rsc is None else rsc,
    )
    path = write_package(out, info)
    click.echo(
        messages.TEAMS_PACKAGE_WRITTEN.format(path=path, version=info.version, bot_id=bot_id)
    )
