"""`deskbot teams package`: a zip Teams accepts (manifest v1.30 rules, two icons), offline.

Microsoft's v1.30 schema is not vendored here; RULES restates, for every part
deskbot writes, the schema's required fields, patterns, enums and limits
(microsoft/json-schemas teams/v1.30/MicrosoftTeams.schema.json), and jsonschema
checks the manifest against them.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
import zlib

import jsonschema
import pytest
from click.testing import CliRunner

from bot.teams.manifest import PackageInfo, build_manifest
from deskbot.cli import main
from tests.bot.teams.teamsreq import APP_ID

GUID = "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
HTTP_URL = {"type": "string", "maxLength": 2048, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
SCOPE = {"enum": ["team", "personal", "groupChat", "copilot"]}
RULES = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["manifestVersion", "version", "id", "developer", "name", "description", "icons",
                 "accentColor"],
    "properties": {
        "manifestVersion": {"enum": ["1.30"]},
        "version": {"type": "string", "maxLength": 256, "pattern": r"^\d+\.\d+\.\d+$"},
        "id": {"type": "string", "pattern": GUID},
        "developer": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
            "properties": {
                "name": {"type": "string", "maxLength": 32},
                "websiteUrl": HTTP_URL,
                "privacyUrl": HTTP_URL,
                "termsOfUseUrl": HTTP_URL,
            },
        },
        "name": {
            "type": "object",
            "required": ["short"],
            "properties": {"short": {"maxLength": 30}, "full": {"maxLength": 100}},
        },
        "description": {
            "type": "object",
            "required": ["short", "full"],
            "properties": {"short": {"maxLength": 80}, "full": {"maxLength": 4000}},
        },
        "icons": {"type": "object", "required": ["outline", "color"]},
        "accentColor": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "bots": {
            "type": "array",
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["botId", "scopes"],
                "properties": {
                    "botId": {"type": "string", "pattern": GUID},
                    "scopes": {"type": "array", "maxItems": 4, "items": SCOPE},
                    "supportsTargetedMessages": {"type": "boolean"},
                    "commandLists": {
                        "type": "array",
                        "maxItems": 3,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["scopes", "commands"],
                            "properties": {
                                "triggers": {
                                    "type": "array",
                                    "maxItems": 2,
                                    "items": {"enum": ["mention", "slash"]},
                                },
                                "scopes": {"type": "array", "maxItems": 4, "items": SCOPE},
                                "commands": {
                                    "type": "array",
                                    "maxItems": 12,
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["title"],
                                        "properties": {
                                            "title": {"type": "string", "maxLength": 128},
                                            "description": {"type": "string", "maxLength": 4000},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "validDomains": {"type": "array", "maxItems": 100, "items": {"maxLength": 2048}},
        "webApplicationInfo": {
            "type": "object",
            "properties": {"id": {"type": "string", "pattern": GUID}, "resource": {"maxLength": 2048}},
        },
        "authorization": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "permissions": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "resourceSpecific": {
                            "type": "array",
                            "maxItems": 16,
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["name", "type"],
                                "properties": {
                                    "name": {"type": "string", "maxLength": 128},
                                    "type": {"enum": ["Application", "Delegated"]},
                                },
                            },
                        }
                    },
                }
            },
        },
    },
}  # fmt: skip
KNOWN = {"$schema", "manifestVersion", "version", "id", "developer", "name", "description", "icons",
         "accentColor", "bots", "validDomains", "webApplicationInfo", "authorization"}  # fmt: skip


def info(**overrides) -> PackageInfo:
    base = dict(
        bot_id=APP_ID,
        version="1.2.3",
        website_url="https://bot.example.com/",
        privacy_url="https://bot.example.com/privacy",
        terms_url="https://bot.example.com/terms",
        domains=("bot.example.com",),
    )
    return PackageInfo(**{**base, **overrides})


def png_size_and_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, colour type, raw filtered rows) of a one-IDAT PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, _depth, color_type = struct.unpack(">IIBB", data[16:26])
    idat = data.index(b"IDAT")
    (length,) = struct.unpack(">I", data[idat - 4 : idat])
    return width, height, color_type, zlib.decompress(data[idat + 4 : idat + 4 + length])


@pytest.mark.parametrize("rsc", [False, True])
def test_manifest_follows_the_v1_30_rules(rsc):
    manifest = build_manifest(info(rsc=rsc))
    jsonschema.Draft4Validator(RULES).validate(manifest)
    assert set(manifest) <= KNOWN  # the schema allows no other top-level property
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal", "team", "groupChat"]
    assert {c["title"] for lst in bot["commandLists"] for c in lst["commands"]} == {
        "help",
        "reindex",
    }
    assert all(lst["triggers"] == ["mention", "slash"] for lst in bot["commandLists"])
    assert bot["supportsTargetedMessages"] is True  # required for the "/" menu
    assert manifest["validDomains"] == ["bot.example.com"]
    assert ("authorization" in manifest) is rsc and ("webApplicationInfo" in manifest) is rsc


def test_the_rules_catch_what_teams_would_refuse():
    bad = build_manifest(info())
    bad["bots"][0]["commandLists"][0]["triggers"] = ["hover"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(RULES).validate(bad)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(RULES).validate(build_manifest(info(bot_id="not-a-guid")))


def test_package_command_writes_manifest_and_icons(tmp_path, monkeypatch):
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    out = tmp_path / "out" / "deskbot-teams.zip"
    args = [
        "teams",
        "package",
        "--out",
        str(out),
        "--endpoint",
        "https://bot.example.com/api/messages",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color, outline = package.read("color.png"), package.read("outline.png")
    jsonschema.Draft4Validator(RULES).validate(manifest)
    assert manifest["developer"]["websiteUrl"] == "https://bot.example.com/"
    assert png_size_and_pixels(color)[:3] == (192, 192, 6)
    width, height, color_type, rows = png_size_and_pixels(outline)
    assert (width, height, color_type) == (32, 32, 6)
    pixels = {rows[r * 129 + 1 + 4 * x : r * 129 + 5 + 4 * x] for r in range(32) for x in range(32)}
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}  # white on transparent only


def test_package_command_needs_a_guid_app_id_and_https_urls(monkeypatch):
    monkeypatch.setenv("TEAMS_APP_ID", "my-bot")
    result = CliRunner().invoke(main, ["teams", "package"])
    assert result.exit_code == 1 and "TEAMS_APP_ID must be" in result.output
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    result = CliRunner().invoke(main, ["teams", "package", "--website-url", "http://x.example"])
    assert result.exit_code == 1 and "--website-url must be an https:// address" in result.output


def test_cli_help_and_packaging_do_not_import_the_teams_sdk(tmp_path):
    code = (
        "import sys; from click.testing import CliRunner; from deskbot.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        f"r = CliRunner(env={{'TEAMS_APP_ID': '{APP_ID}'}}).invoke(main, ['teams', 'package', "
        f"'--out', r'{tmp_path / 'p.zip'}'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('microsoft_agents', 'aiohttp', 'jwt', 'torch', 'openai')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
