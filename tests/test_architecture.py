"""The structure holds: layers run one way, every module imports on its own, the CLI starts light.

The layer contract lives in pyproject.toml ([tool.importlinter]); `make lint` runs it. These
tests show it is kept on the real tree and that it does catch a back-import.
"""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("deskbot", "bot", "ingest")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "openai",
    "qdrant_client",
    "qdrant_edge",
    "microsoft_agents",  # the Teams SDK: loaded only when Teams runs
)


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_tree(target: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_layer_contract_is_kept():
    result = lint_imports(copy_tree(Path(os.getcwd())))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "back_import"),
    [
        ("ingest/chunk.py", "from bot import answer"),
        ("deskbot/core/errors.py", "from ingest import document"),
        ("bot/retrieve.py", "from deskbot.tune import tokens"),
    ],
)
def test_a_back_import_breaks_the_contract(tmp_path, module, back_import):
    root = copy_tree(tmp_path)
    with (root / module).open("a") as fh:
        fh.write(f"\n{back_import}  # noqa: E402,F401\n")
    result = lint_imports(root)
    assert result.returncode != 0
    importer = module.removesuffix(".py").replace("/", ".")
    imported = back_import.split()[1]
    assert f"{importer} -> {imported}" in result.stdout


def all_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        path = ROOT / package
        names.append(package)
        for info in pkgutil.walk_packages([str(path)], prefix=f"{package}."):
            names.append(info.name)
    return sorted(names)


# Runs in a fresh interpreter: third-party libraries are loaded once (to keep it quick), then
# each of our modules is imported first in a forked child, with nothing of ours loaded yet.
IMPORT_EACH = """
import importlib, json, os, sys
for lib in ("numpy", "click", "httpx", "openai", "slack_bolt", "qdrant_edge"):
    try:
        importlib.import_module(lib)
    except ImportError:
        pass
assert not any(m.split(".")[0] in ("deskbot", "bot", "ingest") for m in sys.modules)
failures = {}
for name in json.loads(sys.argv[1]):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            message = b""
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}".encode()[:2000]
        os.write(write, message)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        message = fh.read()
    os.waitpid(pid, 0)
    if message:
        failures[name] = message.decode()
print(json.dumps(failures))
"""


def test_every_module_imports_on_its_own():
    """A cycle through a half-initialised module (the old `bot.cli` <-> sub-command loop)
    fails here: each module is the first of ours its process imports."""
    modules = all_modules()
    assert len(modules) > 90
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, json.dumps(modules)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}


def test_cli_help_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from deskbot.cli import COMMANDS, main\n"
        "every = [['--help'], ['teams', 'package', '--help']] + [[c, '--help'] for c in COMMANDS]\n"
        "for args in every:\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_package_data_points_at_files_that_exist():
    """Every package-data pattern matches a file, and the bundled price table is one of them."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = []
    for package, patterns in config["package-data"].items():
        folder = ROOT / package.replace(".", "/")
        for pattern in patterns:
            matches = sorted(folder.glob(pattern))
            assert matches, f"{package}: {pattern} matches no file"
            found += [m.relative_to(ROOT).as_posix() for m in matches]
    assert "deskbot/core/data/prices.json" in found
    assert set(config["packages"]["find"]["include"]) == {f"{p}*" for p in PACKAGES}
