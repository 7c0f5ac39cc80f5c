"""Retriever.search reports how long each of its stages took (bench.search_latency reads it)."""

from __future__ import annotations

import time

STAGES = {"embed", "index", "rank", "coverage"}


def test_search_times_each_stage(wiki_retriever):
    started = time.perf_counter()
    result = wiki_retriever.search("how do I connect to the vpn from home")
    elapsed = time.perf_counter() - started
    assert result and set(result.stages.wall) == STAGES == set(result.stages.cpu)
    assert all(t >= 0 for t in result.stages.wall.values())
    assert sum(result.stages.wall.values()) <= elapsed


def test_an_empty_query_embeds_nothing(wiki_retriever):
    result = wiki_retriever.search("   ")
    assert result == [] and set(result.stages.wall) == {"coverage"}
