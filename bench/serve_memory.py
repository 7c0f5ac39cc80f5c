"""Where the serving process's memory goes: `deskbot serve`'s startup, step by step.

    python -m bench.serve_memory [--chunks 10000] [--workdir DIR]

Builds the sample wiki's Edge index padded to --chunks chunks (as bench.slack_load
does; kept in --workdir when given, so a second run skips it), then, in a fresh
process, goes through what `deskbot serve` loads: the Slack transport's imports, the
index, the embedding model, the store, retriever and Answerer (openai client to a
zero-latency fake model), then one answer and ten searches. After each step it prints
resident memory (RSS) and how much of it is anonymous (heap: Python objects, native
allocations) or file-backed (mapped libraries, index files, model weights; the kernel
can drop these pages under pressure). At the end the file-backed part is split by
file: Edge shard files and write-ahead log, the ONNX weights file, libraries.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.wiki_questions import QUESTIONS

STEPS_HEADER = f"{'step':34} {'RSS MB':>8} {'+':>7} {'anon':>7} {'+':>7} {'file':>7} {'+':>7}"


def memory() -> tuple[float, float]:
    """(RSS, anonymous) of this process in MB, from /proc/self/smaps_rollup."""
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0]) / 1024
    return fields["Rss"], fields["Anonymous"]


def by_file(workdir: Path) -> list[tuple[float, str]]:
    """Resident MB per kind of mapping (file-backed ones by file, grouped)."""
    groups: collections.Counter = collections.Counter()
    name = ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split(None, 5)
            name = _kind(parts[5] if len(parts) > 5 else "", workdir)
        elif line.startswith("Rss:"):
            groups[name] += int(line.split()[1]) / 1024
    return sorted(((mb, kind) for kind, mb in groups.items()), reverse=True)


def _kind(path: str, workdir: Path) -> str:
    if not path or path.startswith("["):
        return "anonymous (heap, native allocations, stacks)"
    if "/wal/" in path:
        return "Edge write-ahead log"
    if "/shard/" in path:
        return "Edge shard files (vectors, payload indexes)"
    if path.endswith(".onnx.data"):
        return "ONNX weights file (mapped)"
    library = re.sub(r".*/site-packages/", "", path).split("/")[0]
    return f"library: {library}" if "site-packages" in path else "library: " + Path(path).name


def measure(workdir: Path, model_url: str) -> None:
    """The child: serve's startup in steps, one answer, ten searches; print the figures."""
    os.environ.update(_env(workdir, model_url))
    last = memory()
    print(STEPS_HEADER)

    def step(label: str) -> None:
        nonlocal last
        now = memory()
        rss, anon = now
        print(
            f"{label:34} {rss:8.1f} {rss - last[0]:+7.1f} {anon:7.1f} {anon - last[1]:+7.1f} "
            f"{rss - anon:7.1f} {(rss - anon) - (last[0] - last[1]):+7.1f}",
            flush=True,
        )
        last = now

    step("python")
    import bot.slack.transport  # noqa: F401 - what serve imports for Slack
    from bot.serve.reindex import build_reindex
    from bot.store import Store
    from bot.wiring import build_answerer, build_embedder, build_index, build_retriever
    from deskbot.core.config import Settings

    step("imports (Slack transport, wiring)")
    settings = Settings.from_env(dict(os.environ))
    index = build_index(settings)
    step("index (Edge)")
    embedder = build_embedder(settings)
    step("embedding model (ONNX Runtime)")
    store = Store(settings.db_path)
    retriever = build_retriever(settings, index=index, embedder=embedder)
    answerer = build_answerer(settings, retriever=retriever, store=store, embedder=embedder)
    build_reindex(settings, index, embedder)
    step("store, retriever, Answerer")
    answerer.answer("How do I connect to the VPN from home?")
    step("first answer (openai, language ID)")
    for question in [*QUESTIONS[1:], "Wie verbinde ich mich mit dem VPN?"]:
        retriever.search(question)
    step("ten searches")
    print("\nresident at the end, by mapping:")
    for mb, kind in by_file(workdir):
        if mb >= 0.5:
            print(f"  {mb:7.1f} MB  {kind}")
    index.close()


def _env(workdir: Path, model_url: str) -> dict:
    return {
        "DESKBOT_DATA_DIR": str(workdir),
        "QDRANT_PATH": str(workdir / "qdrant"),
        "DESKBOT_DB": str(workdir / "deskbot.sqlite3"),
        "OPENAI_BASE_URL": model_url,
        "OPENAI_API_KEY": "sk-bench-not-a-real-key",
        "LOG_LEVEL": "WARNING",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, help="Keep the index here (reused if present).")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="deskbot-serve-memory-"))
    if args.child:
        return measure(workdir, args.model_url)
    from bench.slack_load import _build_index, _model
    from tests.fakes.openai_chat import FakeOpenAIChat

    print(f"machine load (1-min average): {os.getloadavg()[0]:.1f}")
    with FakeOpenAIChat(default=_model) as model:
        env = {**os.environ, **_env(workdir, model.base_url)}
        if not (workdir / "qdrant").exists():
            print(json.dumps({"indexed_chunks": _build_index(env, args.chunks)}))
        child = [sys.executable, "-m", "bench.serve_memory", "--child"]
        child += ["--workdir", str(workdir), "--model-url", model.base_url]
        subprocess.run(child, check=True)


if __name__ == "__main__":
    main()
