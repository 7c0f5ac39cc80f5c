"""deskbot.core.progress: one line format, log lines at an interval, a bar on a terminal."""

from __future__ import annotations

import re

from deskbot.core.progress import BarProgress, LogProgress, Progress, terminal_progress, tracked


def test_the_line_counts_units_side_counts_rates_and_eta():
    progress = Progress("pages", "chunks")
    progress.start(4, "files:/wiki")
    assert progress.line().startswith("files:/wiki 0/4 pages, 0 chunks (0.0 pages/s")
    progress.advance(1, chunks=12)
    progress.advance(1)
    line = progress.line()
    assert line.startswith("files:/wiki 2/4 pages, 12 chunks (")
    assert re.search(r"\d+\.\d pages/s, \d+\.\d chunks/s, ETA \d+ s\)$", line)


def test_without_a_total_there_is_no_eta():
    progress = Progress("questions")
    progress.start(None, "simulate")
    progress.advance(3)
    assert re.fullmatch(r"simulate 3 questions \(\d+\.\d questions/s\)", progress.line())


def test_log_lines_come_at_most_every_interval_and_once_at_the_end():
    lines: list[str] = []
    progress = LogProgress("pages", "chunks", every=3600, emit=lines.append)
    progress.start(3, "confluence:ENG")
    for _ in range(3):
        progress.advance(1, chunks=2)
    assert len(lines) == 1 and lines[0].startswith("confluence:ENG 1/3 pages, 2 chunks")
    progress.close()
    assert len(lines) == 2 and lines[1].startswith("confluence:ENG 3/3 pages, 6 chunks")


def test_tracked_counts_each_item_and_closes():
    lines: list[str] = []
    items = list(tracked(["a", "b"], LogProgress("conversations", emit=lines.append), "reading"))
    assert items == ["a", "b"]
    assert lines[-1].startswith("reading 2/2 conversations")


def test_a_bar_counts_on_a_terminal_and_log_lines_elsewhere():
    bar = BarProgress("pages", "chunks")
    bar.start(2, "ingest")
    bar.advance(1, chunks=5)
    assert (bar.bar.n, bar.bar.total, bar.done, bar.counts) == (1, 2, 1, {"chunks": 5})
    bar.close()
    assert bar.bar is None
    assert isinstance(terminal_progress("pages"), LogProgress)  # pytest's stderr is no tty
