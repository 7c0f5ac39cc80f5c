"""A whole extractive simulation of the fixture history over the sample wiki."""

from __future__ import annotations

import json
import re

import pytest

from deskbot.sim.results import ResultsFile
from tests.deskbot.sim.conftest import (
    BAD_LINES,
    MISSING_TOPICS,
    NOT_COVERED,
    line_of,
)

TOPIC_WORDS = {
    "car": {"car", "lease"},
    "pets": {"dog", "pet", "cat"},
    "wellness": {"gym", "wellness"},
}


def test_every_good_row_is_replayed_once_and_bad_rows_are_reported(history_outcome):
    lines = [line_of(r.origin) for r in history_outcome.records]
    assert len(lines) == len(set(lines)) == 48
    assert not set(lines) & set(BAD_LINES)
    reported = {p.line: p.message for p in history_outcome.problems}
    assert set(reported) == set(BAD_LINES)
    for line, words in BAD_LINES.items():
        assert words in reported[line]
        assert history_outcome.problems[0].file.endswith("history.jsonl")


def test_answered_share_reflects_what_the_wiki_covers(history_outcome):
    summary = history_outcome.summary
    covered = [r for r in history_outcome.records if line_of(r.origin) not in NOT_COVERED]
    missing = [r for r in history_outcome.records if line_of(r.origin) in NOT_COVERED]
    # The bot answers most questions the wiki covers ...
    assert sum(r.covered for r in covered) >= 0.9 * len(covered)
    # ... and whatever it says to the rest is far from what the agent said.
    assert all(r.similarity is None or r.similarity < 0.5 for r in missing)
    assert summary.answered == sum(r.covered for r in history_outcome.records)
    assert summary.answered_share == pytest.approx(summary.answered / 48)
    assert summary.median_similarity > 0.5
    assert summary.citation_hit_rate >= 0.8 and summary.with_link == 27
    assert 0 < summary.latency_p50_s <= summary.latency_p95_s


def test_missing_topics_come_out_as_the_largest_gap_clusters(history_outcome):
    topics = history_outcome.topics
    by_origin = {r.question: line_of(r.origin) for r in history_outcome.records}
    gap_lines = {by_origin[q] for t in topics for q in t.questions}
    assert len(gap_lines & NOT_COVERED) >= len(NOT_COVERED) - 3
    assert len(gap_lines - NOT_COVERED) <= 8
    found = {}
    for topic in topics[:3]:
        lines = {by_origin[q] for q in topic.questions}
        name = next(n for n, truth in MISSING_TOPICS.items() if lines <= truth)
        found[name] = topic
        assert topic.count >= 3 and topic.example in topic.questions
        assert set(topic.terms) & TOPIC_WORDS[name], topic.label
    assert set(found) == set(MISSING_TOPICS)
    assert all(t.count < 3 for t in topics[3:])


def test_citation_hits_match_wiki_relative_links_to_file_urls(history_outcome):
    vpn = next(r for r in history_outcome.records if line_of(r.origin) == 1)
    assert vpn.linked_url == "it/vpn.md" and vpn.citation_hit is True
    assert vpn.citations[0]["url"].startswith(("file://", "http"))
    unlinked = [r for r in history_outcome.records if not r.linked_url]
    assert unlinked and all(r.citation_hit is None for r in unlinked)


def test_spaces_and_extractive_cost_estimate(history_outcome):
    summary = history_outcome.summary
    spaces = {s.space for s in summary.by_space}
    assert {"wiki/it", "wiki/hr", "wiki/facilities"} <= spaces
    assert sum(s.questions for s in summary.by_space) == 48
    # Extractive: no model was paid for, but the configured model's cost is estimated.
    assert summary.mode == "extractive" and summary.cost_usd == 0
    assert summary.cost_basis == "estimated" and summary.model == "gpt-4.1-mini"
    assert summary.tokens["prompt_tokens"] > 0 and summary.projected_monthly_cost_usd > 0
    uncovered = [r for r in history_outcome.records if not r.covered]
    assert all(r.estimated_cost_usd == 0 for r in uncovered)
    assert summary.prices_as_of in history_outcome.cost_note


def test_results_file_holds_one_complete_line_per_question(history_outcome):
    lines = history_outcome.results.read_text().splitlines()
    assert len(lines) == 48
    keys = [json.loads(line)["key"] for line in lines]
    assert len(set(keys)) == 48
    assert set(ResultsFile(history_outcome.results).read("extractive")) == set(keys)


def test_json_summary_is_plain_json(history_outcome):
    data = json.loads(json.dumps(history_outcome.as_json()))
    assert data["summary"]["questions"] == 48
    assert data["gaps"][0]["count"] >= 3 and "items" not in data["gaps"][0]
    lines = {int(re.search(r"history\.jsonl:(\d+): ", s).group(1)) for s in data["skipped"]}
    assert lines == set(BAD_LINES)
