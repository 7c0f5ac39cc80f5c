"""The HTML report: renders, self-contained, escaped, no secrets; model runs cost money."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from deskbot.core.errors import ConfigError
from deskbot.sim.charts import grouped_bars, histogram
from deskbot.sim.report import ReportContext, render
from deskbot.sim.results import Record, results_path
from deskbot.sim.summary import summarize
from tests.deskbot.sim.conftest import HISTORY_CSV, Page, run_simulation, sim_settings
from tests.fakes.openai_chat import ChatReply, FakeOpenAIChat

SECRET = "sk-test-9f8e7d6c5b4a39281706"


def test_report_has_headline_charts_gaps_and_every_question(history_outcome):
    html = history_outcome.report.read_text()
    page = Page(html)
    assert {"headline", "gaps", "gap-table", "questions", "question-table", "skipped"} <= page.ids()
    assert page.count("div", "card") == 6
    assert page.count("svg") == 2 and page.count("rect", "bar") > 10
    assert page.count("tr", "q") == 48
    assert page.count("tr", "gap") == len(history_outcome.topics)
    text = " ".join(page.text)
    assert f"answered ({history_outcome.summary.answered} of 48)" in text
    assert "history.jsonl:20" in text and "history.jsonl:35" in text
    assert "dog" in text and "prices as of" in text


def test_report_is_self_contained(history_outcome):
    page = Page(history_outcome.report.read_text())
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object"}
    assert not [a for _, a in page.tags if "src" in a or "href" in a]


def record(n: int, **fields) -> Record:
    base = {"key": f"k{n}", "id": str(n), "origin": f"x.csv:{n}", "mode": "extractive"}
    return Record(**base | {"question": f"question {n}", "covered": True, **fields})


def test_input_and_answers_are_escaped_and_secrets_redacted():
    hostile = record(
        1,
        question="<script>alert('q')</script> VPN?",
        answer=f'<img src=x onerror="alert(1)"> use key {SECRET[:-2]}XY and hunter2secret',
        agent_answer="</td></tr><b>agent</b>",
        similarity=0.7,
        latency_s=0.1,
    )
    records = [hostile, record(2, covered=False, latency_s=0.2)]
    summary = summarize(
        records, volume=100, mode="extractive", model="m", prices_as_of="2026-01-01"
    )
    ctx = ReportContext(
        title="t", generated_at="now", inputs=["a.csv"], gap_similarity=0.45, cost_note="n"
    )
    html = render(summary, records, [], ctx, secrets=("hunter2secret",))
    page = Page(html)
    assert page.count("script") == 0 and page.count("img") == 0 and page.count("b") == 0
    assert page.count("tr", "q") == 2
    assert "&lt;script&gt;" in html and "hunter2secret" not in html
    assert SECRET[:-2] not in html  # token-shaped values are blanked even when not configured


@pytest.mark.parametrize(
    "svg",
    [
        histogram([0.1, 0.5, 0.55, 0.99, 1.0], title="s <&> t", marker=0.45, marker_label="gap"),
        histogram([], title="empty"),
        grouped_bars(
            [("wiki/it", 3, 0.5, 0.7), ("a<b", 1, None, None)], title="x", legend=("a", "b")
        ),
        grouped_bars([], title="none", legend=("a", "b")),
    ],
)
def test_charts_are_well_formed_svg(svg):
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.find("{http://www.w3.org/2000/svg}title") is not None


def leaky_model(body: dict) -> ChatReply:
    # A model (or proxy) that echoes the key: the report must still never show it.
    return ChatReply(
        f"Open Northwind Connect and click Connect [1]. debug: {SECRET}", model="gpt-4.1-mini"
    )


def test_model_run_measures_tokens_and_cost_and_keeps_the_key_out(tmp_path, wiki_retriever):
    with FakeOpenAIChat(default=leaky_model) as fake:
        settings = sim_settings(tmp_path, openai_api_key=SECRET, openai_base_url=fake.base_url)
        outcome = run_simulation(
            tmp_path, [HISTORY_CSV], wiki_retriever, settings=settings, limit=4
        )
        asked = len(fake.chat_requests())
    summary = outcome.summary
    assert outcome.summary.mode == "model:gpt-4.1-mini" and summary.cost_basis == "measured"
    assert asked == sum(r.covered for r in outcome.records) >= 3
    assert summary.tokens["prompt_tokens"] > 0 and summary.cost_usd > 0
    assert summary.projected_monthly_cost_usd == pytest.approx(summary.cost_usd / 4 * 1000)
    assert all(r.citation_hit for r in outcome.records if r.linked_url and r.covered)
    for text in (
        outcome.report.read_text(),
        results_path(outcome.report).read_text(),
        json.dumps(outcome.as_json()),
    ):
        assert SECRET not in text
    assert "debug: ***" in outcome.records[0].answer


def test_extractive_asks_no_model_even_when_one_is_configured(tmp_path, wiki_retriever):
    with FakeOpenAIChat(default="unused [1]") as fake:
        settings = sim_settings(tmp_path, openai_api_key=SECRET, openai_base_url=fake.base_url)
        outcome = run_simulation(
            tmp_path, [HISTORY_CSV], wiki_retriever, settings=settings, limit=2, use_model=False
        )
        assert fake.chat_requests() == []
    assert outcome.summary.mode == "extractive" and outcome.summary.cost_usd == 0


def test_with_model_needs_a_model(tmp_path, wiki_retriever):
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        run_simulation(tmp_path, [HISTORY_CSV], wiki_retriever, limit=1, use_model=True)
