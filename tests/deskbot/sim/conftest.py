"""Fixtures for the simulator: one extractive run over the fixture history, shared.

`history_outcome` replays tests/data/history.jsonl (48 questions over
examples/wiki, two bad rows) once per session through the session `wiki_retriever`;
tests that only read its report or numbers share it. `cli_env` ingests a
three-page wiki through `deskbot ingest` so CLI tests run the real wiring.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskbot.cli import main
from deskbot.sim.simulate import Outcome, SimOptions, simulate
from tests.conftest import DATA, WIKI, isolated_env
from tests.conftest import settings_under as sim_settings

HISTORY = DATA / "history.jsonl"
HISTORY_CSV = DATA / "history.csv"

# Ground truth of tests/data/history.jsonl, by line: questions the wiki does not cover.
MISSING_TOPICS = {
    "car": {3, 6, 9, 12, 15},
    "pets": {18, 22, 25, 28, 31},
    "wellness": {34, 38, 41, 44},
}
OTHER_MISSING = {47, 50}  # business cards, referral bonus
NOT_COVERED = set().union(*MISSING_TOPICS.values(), OTHER_MISSING)
BAD_LINES = {20: "not valid JSON", 35: "question"}


def line_of(origin: str) -> int:
    return int(origin.rsplit(":", 1)[1])


def run_simulation(root: Path, inputs, retriever, *, settings=None, **options) -> Outcome:
    settings = settings or sim_settings(root)
    options.setdefault("report", root / "report.html")
    return simulate(settings, list(inputs), SimOptions(**options), retriever=retriever)


@pytest.fixture(scope="session")
def history_outcome(tmp_path_factory, wiki_retriever) -> Outcome:
    root = tmp_path_factory.mktemp("history-sim")
    return run_simulation(root, [HISTORY], wiki_retriever)


class InterruptAfter:
    """The real retriever, with a Ctrl-C arriving on search call number `after + 1`."""

    def __init__(self, retriever, after: int) -> None:
        self.inner = retriever
        self.after = after
        self.calls = 0
        self.top_k, self.threshold, self.embedder = (
            retriever.top_k,
            retriever.threshold,
            retriever.embedder,
        )

    def search(self, query, **kwargs):
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return self.inner.search(query, **kwargs)

    def relevant(self, hits):
        return self.inner.relevant(hits)


class Page(HTMLParser):
    """Tags, ids, classes and text of a report, as a browser would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def count(self, tag: str, cls: str | None = None) -> int:
        return sum(
            1
            for t, a in self.tags
            if t == tag and (cls is None or cls in (a.get("class") or "").split())
        )

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}


CLI_PAGES = ("it/wifi.md", "hr/payroll-dates.html", "facilities/parking.md")  # small ones


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory, embedder):
    """Env for CLI runs over three pages of the sample wiki (model already loaded)."""
    root = tmp_path_factory.mktemp("sim-cli")
    for page in CLI_PAGES:
        target = root / "wiki" / page
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(WIKI / page, target)
    env = isolated_env(root)
    result = CliRunner(env=env).invoke(main, ["ingest", str(root / "wiki")])
    assert result.exit_code == 0, result.output
    return env
