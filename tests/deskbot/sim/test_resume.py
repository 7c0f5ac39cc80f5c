"""Resumable runs: stop part-way (limit, Ctrl-C, a kill mid-line), rerun, nothing twice."""

from __future__ import annotations

import json

import pytest

from deskbot.sim.results import ResultsFile, results_path
from tests.deskbot.sim.conftest import HISTORY_CSV, InterruptAfter, run_simulation

CSV_ROWS = 10


def stored_keys(report) -> list[str]:
    lines = results_path(report).read_text().splitlines()
    return [json.loads(line)["key"] for line in lines]  # every line is whole JSON


class Counting:
    """The real retriever, counting the questions it is asked."""

    def __init__(self, retriever) -> None:
        self.inner, self.calls = retriever, 0
        self.top_k, self.threshold, self.embedder = (
            retriever.top_k,
            retriever.threshold,
            retriever.embedder,
        )

    def search(self, query, **kwargs):
        self.calls += 1
        return self.inner.search(query, **kwargs)

    def relevant(self, hits):
        return self.inner.relevant(hits)


@pytest.mark.parametrize("workers", [1, 3])
def test_interrupted_run_continues_without_duplicates(tmp_path, wiki_retriever, workers):
    first = run_simulation(tmp_path, [HISTORY_CSV], wiki_retriever, limit=3, workers=workers)
    assert first.stats.done == 3 and len(first.records) == 3

    interrupting = InterruptAfter(wiki_retriever, after=4)
    with pytest.raises(KeyboardInterrupt):
        run_simulation(tmp_path, [HISTORY_CSV], interrupting, workers=workers)
    after_interrupt = stored_keys(tmp_path / "report.html")
    assert 3 <= len(after_interrupt) <= 3 + 4  # those done before the Ctrl-C
    assert len(set(after_interrupt)) == len(after_interrupt)

    counting = Counting(wiki_retriever)
    last = run_simulation(tmp_path, [HISTORY_CSV], counting, workers=workers)
    assert counting.calls == CSV_ROWS - len(after_interrupt)  # only the missing ones
    assert last.stats.skipped == len(after_interrupt)
    keys = stored_keys(tmp_path / "report.html")
    assert len(keys) == len(set(keys)) == CSV_ROWS
    assert last.summary.questions == CSV_ROWS and len(last.records) == CSV_ROWS

    again = Counting(wiki_retriever)
    run_simulation(tmp_path, [HISTORY_CSV], again, workers=workers)
    assert again.calls == 0 and len(stored_keys(tmp_path / "report.html")) == CSV_ROWS


def test_a_line_cut_short_by_a_kill_is_redone(tmp_path, wiki_retriever, caplog):
    run_simulation(tmp_path, [HISTORY_CSV], wiki_retriever, limit=2)
    path = results_path(tmp_path / "report.html")
    with path.open("a") as handle:
        handle.write('{"key": "history:4#abc", "question": "half a li')
    outcome = run_simulation(tmp_path, [HISTORY_CSV], wiki_retriever, limit=4)
    assert "incomplete result line" in caplog.text and ":3:" in caplog.text
    assert outcome.stats.done == 2 and len(outcome.records) == 4
    lines = path.read_text().splitlines()
    assert lines[2].startswith('{"key": "history:4#abc"')  # kept as it was, ignored
    assert all(json.loads(line) for line in lines[:2] + lines[3:])
    assert len(ResultsFile(path).read()) == 4


def test_fresh_starts_over_and_other_modes_are_not_reused(tmp_path, wiki_retriever):
    run_simulation(tmp_path, [HISTORY_CSV], wiki_retriever, limit=2)
    path = results_path(tmp_path / "report.html")
    lines = path.read_text().splitlines()
    other = json.loads(lines[0]) | {"mode": "model:gpt-4.1-mini"}
    path.write_text("\n".join([*lines, json.dumps(other)]) + "\n")
    outcome = run_simulation(tmp_path, [HISTORY_CSV], wiki_retriever, limit=2)
    assert outcome.other_modes == {"model:gpt-4.1-mini": 1} and outcome.stats.done == 0
    fresh = run_simulation(tmp_path, [HISTORY_CSV], wiki_retriever, limit=2, fresh=True)
    assert fresh.stats.done == 2 and fresh.other_modes == {}
    assert len(path.read_text().splitlines()) == 2
