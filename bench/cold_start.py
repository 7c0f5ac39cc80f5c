"""Cold `deskbot ask` wall clock: ONNX Runtime against torch, side by side in one run.

    python -m bench.cold_start [--runs 7]

Ingests examples/wiki into a temporary embedded (Edge) index once (preparing the ONNX
export first), then runs `deskbot ask "…"` (extractive: no answer model) as a fresh
process `--runs` times per backend, alternating the backends so both see the same load.
Prints median / min / max wall clock and peak RSS per backend, their ratio, and the
machine's load average (these figures move with it). Goal: ONNX median < 2.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import load_average
from bench.serving import DESKBOT

ROOT = Path(__file__).resolve().parent.parent
WIKI = ROOT / "examples" / "wiki"
QUESTION = "How do I connect to the VPN from home?"


def bench_env(workdir: Path) -> dict:
    env = {
        **os.environ,
        "DESKBOT_DATA_DIR": str(workdir / "data"),
        "LOG_LEVEL": "WARNING",
    }
    for unset in ("QDRANT_URL", "QDRANT_PATH", "OPENAI_API_KEY", "OPENAI_BASE_URL", "TONE_MODEL"):
        env.pop(unset, None)
    return env


def timed(args: list[str], env: dict, cwd: Path) -> float:
    """Wall seconds of one child process, from spawn to exit."""
    started = time.perf_counter()
    subprocess.run(args, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--backends", nargs="+", default=["onnx", "torch"])
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="deskbot-cold-"))
    env = bench_env(workdir)
    print(f"start: {load_average()}", flush=True)
    subprocess.run([*DESKBOT, "embedder"], env=env, cwd=workdir, check=True, capture_output=True)
    subprocess.run([*DESKBOT, "ingest", str(WIKI)], env=env, cwd=workdir, check=True)
    walls: dict[str, list[float]] = {b: [] for b in args.backends}
    for _ in range(args.runs):
        for backend in args.backends:
            wall = timed(
                [*DESKBOT, "ask", QUESTION], {**env, "EMBEDDING_BACKEND": backend}, workdir
            )
            walls[backend].append(wall)
    print(f"cold `deskbot ask` (extractive, sample wiki), {args.runs} runs per backend:")
    for backend, values in walls.items():
        print(
            f"  {backend:5}  median {statistics.median(values):5.2f} s  "
            f"min {min(values):5.2f} s  max {max(values):5.2f} s"
        )
    if {"onnx", "torch"} <= set(walls):
        ratio = statistics.median(walls["torch"]) / statistics.median(walls["onnx"])
        print(f"  torch / onnx median: {ratio:.1f}x   (goal: onnx median < 2.5 s)")
    for backend in args.backends:
        rss = peak_rss(env, workdir, backend)
        print(f"  {backend:5}  peak RSS of one ask: {rss:.0f} MB")
    print(f"end: {load_average()}")


def peak_rss(env: dict, workdir: Path, backend: str) -> float:
    """Peak RSS of one `ask`, measured in a fresh child of its own (ru_maxrss is per tree)."""
    code = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *DESKBOT, "ask", QUESTION],
        env={**env, "EMBEDDING_BACKEND": backend},
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
