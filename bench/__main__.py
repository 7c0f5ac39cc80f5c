"""`make bench`: run every benchmark in turn and print its figures."""

from __future__ import annotations

import importlib
import subprocess
import sys

BENCHES = [
    "bench.cold_start",
    "bench.ingest_throughput",
    "bench.search_latency",
    "bench.answer_overhead",
    "bench.slack_load",
    "bench.teams_load",
    "bench.simulate_speed",
    "bench.cli_startup",
    "bench.serve_memory",
    "bench.socket_mode_clients",
    "bench.hostile_posts",
]


def main() -> None:
    only = sys.argv[1:]
    for name in BENCHES:
        if only and not any(o in name for o in only):
            continue
        if importlib.util.find_spec(name) is None:
            continue
        print(f"\n== {name} ==", flush=True)
        subprocess.run([sys.executable, "-m", name], check=False)


if __name__ == "__main__":
    main()
