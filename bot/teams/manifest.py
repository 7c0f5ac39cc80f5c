"""The Teams app package: manifest.json (schema v1.30) and two icons, zipped for upload.

The bot works in personal chats, teams (channels) and group chats; its command
menu lists `help` and `reindex`, also in the "/" menu (`triggers` and
`supportsTargetedMessages`, new in v1.29). With `rsc` the package asks for the
resource-specific permissions that let Teams deliver mention-less messages
(TEAMS_RSC_FOLLOWUPS). Nothing here imports the Teams SDK.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.teams.icons import color_icon, outline_icon
from deskbot.core import messages
from deskbot.core.errors import ConfigError

MANIFEST_VERSION = "1.30"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = "#2E5C8A"
SCOPES = ("personal", "team", "groupChat")
RSC_PERMISSIONS = ("ChannelMessage.Read.Group", "ChatMessage.Read.Chat")
COLOR_ICON, OUTLINE_ICON = "color.png", "outline.png"
APP_NAMESPACE = uuid.UUID("6f1f0c1e-5d2b-4c47-9a4e-2b0d6b7e0a11")  # deskbot's, for stable ids


@dataclass(frozen=True)
class PackageInfo:
    bot_id: str  # TEAMS_APP_ID
    version: str  # semver; raise it for every upload of a changed package
    website_url: str
    privacy_url: str
    terms_url: str
    developer: str = "deskbot"
    domains: tuple[str, ...] = ()
    rsc: bool = False


def https_url(name: str, url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(messages.SETTING_NOT_HTTPS.format(name=name, url=url))
    return url


def build_manifest(info: PackageInfo) -> dict:
    """manifest.json as a dict; its id is derived from the bot id, so it is stable."""
    manifest = {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": info.version,
        "id": str(uuid.uuid5(APP_NAMESPACE, info.bot_id.lower())),
        "developer": {
            "name": info.developer[:32],
            "websiteUrl": info.website_url,
            "privacyUrl": info.privacy_url,
            "termsOfUseUrl": info.terms_url,
        },
        "name": {"short": messages.TEAMS_APP_NAME, "full": messages.TEAMS_APP_FULL_NAME},
        "description": {"short": messages.TEAMS_APP_SHORT, "full": messages.TEAMS_APP_FULL},
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT,
        "bots": [_bot(info)],
        "validDomains": list(dict.fromkeys(info.domains)),
    }
    if info.rsc:
        manifest["webApplicationInfo"] = {
            "id": info.bot_id,
            "resource": f"api://botid-{info.bot_id}",
        }
        manifest["authorization"] = {
            "permissions": {
                "resourceSpecific": [{"name": n, "type": "Application"} for n in RSC_PERMISSIONS]
            }
        }
    return manifest


def _bot(info: PackageInfo) -> dict:
    commands = [
        {"title": "help", "description": messages.TEAMS_COMMAND_HELP},
        {"title": "reindex", "description": messages.TEAMS_COMMAND_REINDEX},
    ]
    return {
        "botId": info.bot_id,
        "scopes": list(SCOPES),
        "supportsFiles": False,
        "isNotificationOnly": False,
        "supportsTargetedMessages": True,
        "commandLists": [
            {"scopes": [scope], "triggers": ["mention", "slash"], "commands": commands}
            for scope in SCOPES
        ],
    }


def write_package(path: Path, info: PackageInfo) -> Path:
    """The zip Teams takes: manifest.json and the two icons at its root."""
    manifest = build_manifest(info)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        package.writestr(COLOR_ICON, color_icon(ACCENT))
        package.writestr(OUTLINE_ICON, outline_icon())
    return path
