"""Every setting deskbot reads is documented where a user looks for it: `.env.example`
(every one, explained) and the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r'\bget\("([A-Z][A-Z0-9_]+)"\)')


def settings_read() -> list[str]:
    names = sorted(set(READ.findall((ROOT / "deskbot/core/config.py").read_text())))
    assert len(names) > 40, "the pattern no longer finds how config.py reads the environment"
    return names


def readme_table() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("name", settings_read())
def test_every_setting_is_in_env_example(name):
    assert re.search(rf"^#?{name}=", (ROOT / ".env.example").read_text(), re.M), name


@pytest.mark.parametrize("name", settings_read())
def test_every_setting_is_in_the_readme_table(name):
    assert f"`{name}`" in readme_table(), name
