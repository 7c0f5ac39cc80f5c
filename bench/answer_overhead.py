"""Answer overhead outside the model: p50/p95 of the whole `answer()` at 10k chunks.

    python -m bench.answer_overhead [--size 10000] [--queries 100] [--real 4000]
                                    [--embedding onnx|torch]

Builds a 10k-chunk embedded (Edge) index the way bench.search_latency does
(real Python-docs passages embedded with the real model, the rest jittered
copies), then answers questions through the real Answerer: follow-up rewrite,
query embedding, hybrid search, prompt building, the real openai SDK over local
HTTP to a zero-latency fake model, citation checks, cost, the SQLite store.

"overhead" = total - the model calls' own time (what the fake's HTTP round trip
costs is reported apart, as "model"). Goal: p95 overhead under 100 ms.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.machine import MODELS
from bench.search_latency import QUERIES, build


def _model_reply(body: dict) -> str:
    """A zero-latency 'model': cites the first passage, or rewrites a follow-up."""
    if "standalone search query" in body["messages"][0]["content"]:
        return "read a file line by line in Python"
    return "Use the documented function for this [1]. See also the examples [2]."


def _stats(values: list[float]) -> str:
    p50, p95 = np.percentile(np.array(values) * 1000, [50, 95])
    return f"{p50:7.1f} {p95:7.1f}"


def _no_delayed_ack() -> None:
    """The fake answers in two writes (headers, body); without TCP_NODELAY each request
    waits ~40 ms for a delayed ACK, which is the fake's cost, not a model's."""
    import http.server

    http.server.BaseHTTPRequestHandler.disable_nagle_algorithm = True


def run(path: Path, queries: int, embedding: str = "onnx") -> None:
    from bot.answer import Answerer
    from bot.llm import ChatModel
    from bot.retrieve import Retriever
    from bot.store import Store
    from deskbot.core.conversations import Turn
    from deskbot.core.prices import load_prices
    from ingest.embed import Embedder, resolve_model
    from ingest.index import open_index
    from tests.fakes.openai_chat import FakeOpenAIChat

    _no_delayed_ack()
    embedder = Embedder(resolve_model(None), backend=embedding, models_dir=MODELS)
    index = open_index(collection="bench", path=path / "edge")
    retriever = Retriever(index, embedder)  # the shipped settings
    history = (Turn("user", "how do I open a file?"), Turn("assistant", "Use open() [1]."))
    print(f"index: {index.count()} chunks (Edge, embedded)")
    print(
        "mode                   answers covered  total p50/p95 ms  model p50/p95  "
        "overhead p50/p95  (retrieve p50/p95  rest p50/p95)"
    )
    with FakeOpenAIChat(default=_model_reply) as fake:
        model = ChatModel(fake.client(), "gpt-4.1-mini")
        store = Store(path / "bench.sqlite3")
        modes = {
            "model": (Answerer(retriever, model=model, store=store, prices=load_prices()), ()),
            "model + follow-up": (
                Answerer(retriever, model=model, store=store, prices=load_prices()),
                history,
            ),
            "extractive (no model)": (Answerer(retriever, store=store), ()),
        }
        for name, (answerer, turns) in modes.items():
            answerer.answer("warm up", turns)
            totals, models, overheads, retrieves, covered = [], [], [], [], 0
            for n in range(queries):
                answer = answerer.answer(QUERIES[n % len(QUERIES)], turns)
                spent = answer.timings["generate"] + answer.timings["rewrite"]
                totals.append(answer.timings["total"])
                models.append(spent)
                overheads.append(answer.timings["total"] - spent)
                retrieves.append(answer.timings["retrieve"])
                covered += answer.covered
            rest = [o - r for o, r in zip(overheads, retrieves, strict=True)]
            print(
                f"{name:22} {queries:7d} {covered:7d}  {_stats(totals)}       "
                f"{_stats(models)}   {_stats(overheads)}    {_stats(retrieves)}  {_stats(rest)}",
                flush=True,
            )
        store.close()
    embeds = []
    for n in range(queries):
        t0 = time.perf_counter()
        embedder.encode_queries([QUERIES[n % len(QUERIES)]])
        embeds.append(time.perf_counter() - t0)
    print(
        f"of which query embedding alone (MiniLM, CPU, {embedder.backend}) p50/p95 ms: {_stats(embeds)}"
    )
    index.close()
    print("goal: p95 overhead < 100 ms beyond the model's own time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--real", type=int, default=4_000)
    parser.add_argument(
        "--embedding", choices=("onnx", "torch"), default="onnx", help="EMBEDDING_BACKEND"
    )
    parser.add_argument("--reuse", help="folder of an index an earlier run built (skips building)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.reuse:
        path = Path(args.reuse)
    else:
        path = Path(tempfile.mkdtemp(prefix="deskbot-answer-bench-"))
        started = time.perf_counter()
        built = build("edge", path, args.size, args.real)
        print(
            f"built {args.size} chunks ({built['real_chunks']} embedded, the rest jittered "
            f"copies) in {time.perf_counter() - started:.0f} s; reuse with --reuse {path}"
        )
    run(path, args.queries, args.embedding)


if __name__ == "__main__":
    main()
