"""Run a `deskbot` command in a fresh interpreter and report which heavy libraries it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")
_PROBE = """
import atexit, json, sys
out, args = sys.argv[1], sys.argv[2:]
heavy = {heavy!r}
atexit.register(lambda: open(out, "w").write(json.dumps([m for m in heavy if m in sys.modules])))
sys.argv = ["deskbot", *args]
from deskbot.cli import main
main()
"""


def run_deskbot(tmp: Path, *args: str, env: dict | None = None, stdin: str = ""):
    """(completed process, heavy modules loaded) for `deskbot ARGS` in a new interpreter."""
    report = tmp / f"modules-{len(list(tmp.glob('modules-*')))}.json"
    merged = {**os.environ}
    for key, value in (env or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), str(report), *args],
        env=merged,
        cwd=tmp,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, json.loads(report.read_text()) if report.exists() else None
