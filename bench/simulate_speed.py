"""Simulation speed on the sample wiki: questions per second, and the overhead per question.

    python -m bench.simulate_speed [--rounds 3] [--workers 1 2 4]

Ingests examples/wiki into a temporary embedded (Edge) index, then replays the fixture
history (tests/data/history.jsonl, 48 questions; copied --rounds times under new ids so
nothing is skipped) the way `deskbot simulate` does:

1. extractive, through `deskbot.sim.simulate.simulate` (the command's own code path): questions
   per second of the replay for each --workers value, each run on a fresh results file;
   the report (summary, gap clustering, HTML) is timed apart.
2. with a zero-latency fake model (the real openai SDK over local HTTP): each question
   through `Simulator.measure` + the results file, one at a time. "overhead beyond the
   model" = that wall time minus the model call's own time (`timings["generate"]`),
   split into retrieval and the simulator's own work (similarity embedding, citation
   matching, writing the line). Then questions per second with 8 workers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WIKI = ROOT / "examples" / "wiki"
HISTORY = ROOT / "tests" / "data" / "history.jsonl"


def write_history(path: Path, rounds: int) -> int:
    """The fixture's good rows, `rounds` times over, as question/answer/url JSONL."""
    rows = []
    for line in HISTORY.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if row.get("question") and row.get("answer"):
            rows.append({k: row.get(k, "") for k in ("question", "answer", "url")})
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(rounds):
            for row in rows:
                handle.write(json.dumps(row) + "\n")
    return len(rows) * rounds


def build_retriever(path: Path):
    from bot.retrieve import Retriever
    from ingest.embed import Embedder, resolve_model
    from ingest.index import open_index
    from ingest.sources.files import FilesSource
    from ingest.sync import Syncer

    embedder = Embedder(resolve_model(None))
    index = open_index(collection="deskbot", path=path / "qdrant")
    started = time.perf_counter()
    Syncer(index, embedder).run(FilesSource(WIKI))
    print(
        f"index: {index.count()} chunks of examples/wiki in {time.perf_counter() - started:.0f} s"
    )
    return Retriever(index, embedder)


def extractive(path: Path, retriever, history: Path, workers: list[int]) -> None:
    from deskbot.core.config import Settings
    from deskbot.sim.simulate import SimOptions, simulate

    print("\nextractive (no model)   questions  workers  replay s  questions/s  report s")
    for n in workers:
        report = path / f"extractive-{n}" / "report.html"
        started = time.perf_counter()
        outcome = simulate(
            Settings(), [history], SimOptions(report=report, workers=n), retriever=retriever
        )
        total = time.perf_counter() - started
        stats = outcome.stats
        print(
            f"{'':23} {stats.done:9d} {n:8d} {stats.seconds:9.1f} {stats.rate:12.2f} "
            f"{total - stats.seconds:9.2f}",
            flush=True,
        )


def _ms(values: list[float]) -> str:
    p50, p95 = np.percentile(np.array(values) * 1000, [50, 95])
    return f"{p50:6.1f} /{p95:6.1f}"


def with_fake_model(path: Path, retriever, history: Path) -> None:
    from bot.answer import Answerer
    from bot.llm import ChatModel
    from bot.store import Store
    from deskbot.core.prices import load_prices
    from deskbot.sim.results import ResultsFile
    from deskbot.sim.runner import Simulator, unique_questions
    from deskbot.tune.readers import read_conversations
    from tests.fakes.openai_chat import FakeOpenAIChat

    questions = list(unique_questions(read_conversations([history], problems=[]), None))
    reply = "Open Northwind Connect and click Connect [1]. Then sign in with Okta [2]."
    with FakeOpenAIChat(default=reply) as fake:
        model = ChatModel(fake.client(), "gpt-4.1-mini")
        answerer = Answerer(retriever, model=model, store=Store(":memory:"), prices=load_prices())
        results = ResultsFile(path / "model" / "report.results.jsonl")
        sim = Simulator(answerer, retriever.embedder, results, mode="model:gpt-4.1-mini")
        sim.measure(*questions[0])  # warm up
        walls, models, retrieves, own = [], [], [], []
        for key, conversation in questions:
            started = time.perf_counter()
            record = sim.measure(key, conversation)
            results.append(record)
            wall = time.perf_counter() - started
            walls.append(wall)
            models.append(record.timings.get("generate", 0.0))
            retrieves.append(record.timings.get("retrieve", 0.0))
            own.append(wall - record.latency_s)
        overhead = [w - m for w, m in zip(walls, models, strict=True)]
        print(f"\nzero-latency fake model, 1 worker, {len(walls)} questions (p50 / p95 ms)")
        print(f"  per question, wall                 {_ms(walls)}")
        print(f"  model call (local HTTP round trip) {_ms(models)}")
        print(f"  overhead beyond the model          {_ms(overhead)}")
        print(f"    of which retrieval               {_ms(retrieves)}")
        print(f"    of which simulator's own work    {_ms(own)}")
        results.reset()
        stats = sim.run(questions, workers=8)
        print(f"  8 workers: {stats.done} questions in {stats.seconds:.1f} s = {stats.rate:.2f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="copies of the 48-question history")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    path = Path(tempfile.mkdtemp(prefix="deskbot-simulate-bench-"))
    history = path / "history.jsonl"
    count = write_history(history, args.rounds)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    print(f"history: {count} questions ({args.rounds} x the fixture history)")
    retriever = build_retriever(path)
    extractive(path, retriever, history, args.workers)
    with_fake_model(path, retriever, history)
    retriever.index.close()


if __name__ == "__main__":
    main()
