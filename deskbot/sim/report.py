"""The simulation report: one self-contained HTML file (inline CSS and SVG, no scripts).

Every piece of text that came from the input, the answers or the settings is
passed through `redact` (secrets blanked) and HTML-escaped before it is placed
in the page; the finished page is redacted once more as a safety net.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from deskbot.core import messages
from deskbot.core.logs import redact
from deskbot.sim.charts import grouped_bars, histogram
from deskbot.sim.clusters import Topic
from deskbot.sim.results import Record
from deskbot.sim.summary import Summary

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;margin:24px auto;
max-width:1200px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:160px}
.card .value{font-size:22px;font-weight:600}.card .label{color:#555;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:6px;vertical-align:top;text-align:left}
th{background:#f6f7f9;position:sticky;top:0}
td.text{white-space:pre-wrap;max-width:420px}
.ok{color:#1d7a3a}.miss{color:#b3261e}.muted{color:#888}.warn{color:#9a5b00}
.alert{border:1px solid #b3261e;background:#fdecea;border-radius:8px;padding:10px 14px}
details summary{cursor:pointer;color:#3b6fb6}
"""


@dataclass
class ReportContext:
    """What the report says about the run itself (all redacted before use)."""

    title: str
    generated_at: str
    inputs: Sequence[str]
    gap_similarity: float
    cost_note: str
    skipped: Sequence[str] = ()
    alert: str = ""  # said first, above everything (e.g. the model never answered)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if value is None else fmt.format(value)


class _Page:
    def __init__(self, secrets: Sequence[str]) -> None:
        self.secrets = tuple(secrets)
        self.parts: list[str] = []

    def esc(self, text: object) -> str:
        return escape(redact(str(text if text is not None else ""), self.secrets))

    def add(self, html: str) -> None:
        self.parts.append(html)


def _cards(page: _Page, s: Summary, ctx: ReportContext) -> None:
    by_fallback = f"; {s.fallback} by the fallback" if s.fallback else ""
    cards = [
        (_pct(s.answered_share), f"answered ({s.answered} of {s.questions}{by_fallback})"),
        (
            _pct(s.citation_hit_rate),
            f"cite the linked article ({s.citation_hits} of {s.with_link})",
        ),
        (_num(s.median_similarity), "median similarity to the agent's answer"),
        (_num(s.latency_p50_s, "{:.2f} s"), "latency p50"),
        (_num(s.latency_p95_s, "{:.2f} s"), "latency p95"),
        (f"${s.projected_monthly_cost_usd:,.2f}", f"per month at {s.volume_per_month:,} questions"),
    ]
    page.add('<section class="cards" id="headline">')
    for value, label in cards:
        page.add(
            f'<div class="card"><div class="value">{page.esc(value)}</div>'
            f'<div class="label">{page.esc(label)}</div></div>'
        )
    page.add("</section>")
    page.add(f'<p class="meta" id="cost-note">{page.esc(ctx.cost_note)}</p>')


def _charts(page: _Page, records: Sequence[Record], s: Summary, ctx: ReportContext) -> None:
    sims = [r.similarity for r in records if r.similarity is not None]
    page.add('<h2>Charts</h2><div class="charts">')
    page.add(
        histogram(
            sims,
            title=f"Similarity of the bot's answer to the agent's ({len(sims)} answered)",
            marker=ctx.gap_similarity,
            marker_label="gap threshold",
        )
    )
    rows = [(b.space, b.questions, b.answered_share, b.median_similarity) for b in s.by_space]
    page.add(
        grouped_bars(
            rows,
            title="By wiki space",
            legend=("answered", "median similarity"),
        )
    )
    page.add("</div>")


def _gaps(page: _Page, topics: Sequence[Topic], ctx: ReportContext) -> None:
    page.add('<h2 id="gaps">Knowledge gaps</h2>')
    page.add(
        f"<p>{page.esc(messages.SIM_REPORT_GAPS_INTRO.format(threshold=ctx.gap_similarity))}</p>"
    )
    if not topics:
        page.add(f"<p>{page.esc(messages.SIM_REPORT_NO_GAPS)}</p>")
        return
    page.add(
        '<table id="gap-table"><tr><th>Topic</th><th>Questions</th><th>Example</th><th>All</th></tr>'
    )
    for topic in topics:
        items = "".join(f"<li>{page.esc(q)}</li>" for q in topic.questions)
        page.add(
            f'<tr class="gap"><td>{page.esc(topic.label)}</td><td>{topic.count}</td>'
            f"<td>{page.esc(topic.example)}</td>"
            f"<td><details><summary>{topic.count} question(s)</summary><ul>{items}</ul>"
            "</details></td></tr>"
        )
    page.add("</table>")


def _status(record: Record) -> tuple[str, str]:
    if not record.covered:
        return "not covered", "miss"
    return (messages.SIM_FALLBACK_STATUS, "warn") if record.fallback else ("answered", "ok")


def _questions(page: _Page, records: Sequence[Record]) -> None:
    page.add('<h2 id="questions">Questions</h2><table id="question-table">')
    page.add(
        "<tr><th>#</th><th>Question</th><th>Status</th><th>Cites link</th><th>Similarity</th>"
        "<th>Latency</th><th>Bot's answer</th><th>Agent's answer</th></tr>"
    )
    for n, r in enumerate(records, 1):
        status, css = _status(r)
        hit = {None: ("–", "muted"), True: ("yes", "ok"), False: ("no", "miss")}[r.citation_hit]
        link = f'<div class="meta">linked: {page.esc(r.linked_url)}</div>' if r.linked_url else ""
        page.add(
            f'<tr class="q"><td>{n}</td><td>{page.esc(r.question)}'
            f'<div class="meta">{page.esc(r.origin)} · {page.esc(r.space)}</div>{link}</td>'
            f'<td class="{css}">{status}</td><td class="{hit[1]}">{hit[0]}</td>'
            f"<td>{_num(r.similarity)}</td><td>{r.latency_s:.2f} s</td>"
            f'<td class="text">{page.esc(r.answer)}</td><td class="text">{page.esc(r.agent_answer)}</td></tr>'
        )
    page.add("</table>")


def render(
    summary: Summary,
    records: Sequence[Record],
    topics: Sequence[Topic],
    ctx: ReportContext,
    *,
    secrets: Sequence[str] = (),
) -> str:
    """The whole report as one HTML string."""
    page = _Page(secrets)
    page.add(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{page.esc(ctx.title)}</title>'
        f"<style>{CSS}</style></head><body>"
    )
    page.add(f"<h1>{page.esc(ctx.title)}</h1>")
    if ctx.alert:
        page.add(f'<p class="alert" id="model-failed">{page.esc(ctx.alert)}</p>')
    page.add(
        f'<p class="meta">Generated {page.esc(ctx.generated_at)} · mode {page.esc(summary.mode)} · '
        f"inputs: {page.esc(', '.join(ctx.inputs))}</p>"
    )
    _cards(page, summary, ctx)
    _charts(page, records, summary, ctx)
    _gaps(page, topics, ctx)
    _questions(page, records)
    if ctx.skipped:
        page.add(f'<h2 id="skipped">Skipped input ({len(ctx.skipped)})</h2><ul>')
        page.add("".join(f"<li>{page.esc(p)}</li>" for p in ctx.skipped))
        page.add("</ul>")
    page.add("</body></html>")
    return redact("".join(page.parts), page.secrets)
