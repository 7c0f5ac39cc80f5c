"""How fast `deskbot --help` and `deskbot <command> --help` answer: median of N fresh processes.

    python -m bench.cli_startup                      # this checkout
    python -m bench.cli_startup --old /tmp/deskbot-old --old-entry bot.cli:main

With --old, the same commands also run against another checkout (PYTHONPATH pointing at
it; e.g. the tree before the restructure, whose entry point was bot.cli:main), in the
same run, interleaved, so both see the same machine load. It also counts the modules that
import on their own in a fresh interpreter (the check of tests/test_architecture.py).
"""

from __future__ import annotations

import argparse
import json
import os
import pkgutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (["--help"], ["ingest", "--help"], ["ask", "--help"], ["tune", "--help"])
PACKAGES_NOW = ("deskbot", "bot", "ingest")
PACKAGES_OLD = ("bot", "ingest", "tune", "sim")


def run_once(root: Path, entry: str, args: list[str]) -> float:
    module, _, attr = entry.partition(":")
    code = f"from {module} import {attr} as main; main()"
    env = {**os.environ, "PYTHONPATH": str(root)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=root, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{root} {args}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return seconds


def modules_of(root: Path, packages: tuple[str, ...]) -> list[str]:
    names = []
    for package in packages:
        if (root / package / "__init__.py").exists():
            names.append(package)
            found = pkgutil.walk_packages([str(root / package)], prefix=f"{package}.")
            names += [info.name for info in found]
    return sorted(names)


IMPORT_EACH = """
import importlib, json, sys
ok = 0
for name in json.loads(sys.argv[1]):
    import os
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    ok += os.waitstatus_to_exitcode(status) == 0
print(ok)
"""


def importable(root: Path, packages: tuple[str, ...]) -> tuple[int, int]:
    """(modules that import on their own, modules) under `root`."""
    names = modules_of(root, packages)
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, json.dumps(names)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return int(done.stdout.strip().splitlines()[-1]), len(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--old", type=Path, help="another checkout to time in the same run")
    parser.add_argument("--old-entry", default="bot.cli:main")
    options = parser.parse_args()
    trees = [("now", ROOT, "deskbot.cli:main", PACKAGES_NOW)]
    if options.old:
        trees.append(("old", options.old.resolve(), options.old_entry, PACKAGES_OLD))
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for args in COMMANDS:
        times: dict[str, list[float]] = {name: [] for name, *_ in trees}
        for _ in range(options.runs):
            for name, root, entry, _packages in trees:
                times[name].append(run_once(root, entry, args))
        shown = ", ".join(
            f"{name} {statistics.median(v):.3f} s (min {min(v):.3f})" for name, v in times.items()
        )
        print(f"deskbot {' '.join(args):<16} median of {options.runs}: {shown}")
    for name, root, _entry, packages in trees:
        ok, total = importable(root, packages)
        print(f"{name}: {ok} of {total} modules import on their own")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
