"""The real `deskbot serve` in a child process, for the serving benchmarks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

DESKBOT = [sys.executable, "-c", "from deskbot.cli import main; main()"]


def start_serve(
    args: list[str],
    env: dict,
    workdir: Path,
    health_url: str,
    output: IO[bytes] | None = None,
    timeout: float = 180,
) -> tuple[subprocess.Popen, float]:
    """`deskbot serve <args>` (its log to `output`, else this terminal); returns the child
    and its startup seconds once `health_url` answers 200. Exits the benchmark with the
    reason when the child dies or stays unhealthy for `timeout` seconds."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [*DESKBOT, "serve", *args],
        env=env,
        cwd=workdir,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(health_url, timeout=1).status_code == 200:
                return child, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        if child.poll() is not None:
            raise SystemExit(f"deskbot serve exited with {child.returncode}")
        time.sleep(0.2)
    child.terminate()
    raise SystemExit(f"deskbot serve did not report healthy within {timeout:.0f} s")
