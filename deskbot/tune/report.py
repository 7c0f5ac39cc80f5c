"""The `tune eval` HTML report: the side-by-side table, an inline SVG chart, samples.

Self-contained (no scripts, no external assets), so it can be attached to a
ticket or opened from disk. Every text from the data set is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from deskbot.tune import style
from deskbot.tune.evaluate import EvalResult, table

COLORS = {"base": "#8c9aa8", "tone": "#2f7dd1", "agent": "#3aa76d"}
SAMPLES = 5


BAR, GAP, HEIGHT, TOP = 18, 26, 160, 20


def _groups(result: EvalResult) -> list[tuple[str, list[float]]]:
    """(label, [base, tone, agent]) per bar group: the style markers, then similarity."""
    sides = (result.base.rates, result.tone.rates, result.reference_rates)
    groups = [(m, [side.get(m, 0.0) for side in sides]) for m in style.MARKERS]
    sims = [side.summary()["similarity"] or 0.0 for side in (result.base, result.tone)]
    return [*groups, ("similarity", [*sims, 1.0])]


def _bars(g: int, name: str, values: list[float]) -> list[str]:
    x0, floor = 50 + g * (3 * BAR + GAP), TOP + HEIGHT
    parts = []
    for s, (series, value) in enumerate(zip(COLORS, values, strict=True)):
        h = max(0.0, min(1.0, value)) * HEIGHT
        parts.append(
            f'<rect x="{x0 + s * BAR}" y="{floor - h:.1f}" width="{BAR - 2}" height="{h:.1f}" '
            f'fill="{COLORS[series]}"><title>{series} {escape(name)}: {value:.0%}</title></rect>'
        )
    parts.append(
        f'<text x="{x0 + 1.5 * BAR}" y="{floor + 16}" font-size="11" '
        f'text-anchor="middle">{escape(name)}</text>'
    )
    return parts


def _axis_and_legend(width: int) -> list[str]:
    floor = TOP + HEIGHT
    parts = [f'<line x1="40" y1="{floor}" x2="{width - 10}" y2="{floor}" stroke="#444"/>']
    for tick in (0, 0.5, 1):
        y = floor - tick * HEIGHT + 4
        parts.append(f'<text x="34" y="{y:.0f}" font-size="10" text-anchor="end">{tick:.0%}</text>')
    for s, (series, color) in enumerate(COLORS.items()):
        parts.append(
            f'<rect x="{50 + s * 90}" y="{floor + 34}" width="12" height="12" fill="{color}"/>'
            f'<text x="{66 + s * 90}" y="{floor + 44}" font-size="12">{series}</text>'
        )
    return parts


def chart(result: EvalResult) -> str:
    """Grouped bars: style-marker rates of base, tone and the real agent, plus similarity."""
    groups = _groups(result)
    width = len(groups) * (3 * BAR + GAP) + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT + 70}" '
        'role="img" aria-label="style markers and similarity, base vs tone vs agent">',
        *_axis_and_legend(width),
    ]
    for g, (name, values) in enumerate(groups):
        parts.extend(_bars(g, name, values))
    parts.append("</svg>")
    return "".join(parts)


def _samples(result: EvalResult) -> str:
    rows = []
    for i, case in enumerate(result.cases[:SAMPLES]):
        cells = [
            case.question,
            case.reference,
            result.base.replies[i] or "(failed)",
            result.tone.replies[i] or "(failed)",
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    head = "<tr><th>question</th><th>agent</th><th>base</th><th>tone</th></tr>"
    return f"<table class=samples>{head}{''.join(rows)}</table>"


def render(result: EvalResult, title: str = "Tone model evaluation") -> str:
    lost = ", ".join(f"{n} {kind}" for kind, n in result.lost.most_common()) or "nothing"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}
pre{{background:#f5f6f8;padding:1em}} table.samples td{{vertical-align:top;border-top:1px solid #ddd;
padding:.4em;white-space:pre-wrap}} table.samples{{border-collapse:collapse}}</style></head><body>
<h1>{escape(title)}</h1>
<p>{len(result.cases)} held-out conversations. Base: <code>{escape(result.base.model)}</code>;
tone: <code>{escape(result.tone.model)}</code>. Restyles rejected for lost facts: {escape(lost)}.</p>
<pre>{escape(chr(10).join(table(result)))}</pre>
{chart(result)}
<h2>Samples</h2>
{_samples(result)}
</body></html>
"""


def write_report(result: EvalResult, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(result), encoding="utf-8")
    return path
