"""Small inline SVG charts for the report: no plotting library, no external assets."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BLUE, ORANGE, GREY, INK = "#3b6fb6", "#e08a2c", "#c9ced6", "#333"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{INK}">{escape(text)}</text>'
    )


def histogram(
    values: Sequence[float],
    *,
    title: str,
    bins: int = 20,
    marker: float | None = None,
    marker_label: str = "",
) -> str:
    """Counts of `values` in [0, 1] over `bins` equal bins; bins below `marker` in orange."""
    width, height, left, bottom, top = 520, 240, 20, 40, 30
    plot_w, plot_h = width - 2 * left, height - top - bottom
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v * bins)))] += 1
    peak = max(counts) or 1
    bar_w = plot_w / bins
    base = top + plot_h
    body = [f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="{INK}"/>']
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * bar_w
        colour = ORANGE if marker is not None and (i + 1) / bins <= marker + 1e-9 else BLUE
        tip = f"{i / bins:.2f}–{(i + 1) / bins:.2f}: {n}"
        body.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>{tip}</title></rect>'
        )
        if n:
            body.append(_text(x + bar_w / 2, base - h - 4, str(n), size=10))
    for i in range(0, bins + 1, max(1, bins // 5)):
        body.append(_text(left + i * bar_w, base + 14, f"{i / bins:.1f}", size=10))
    body.append(_text(width / 2, height - 6, title, size=11))
    if marker is not None:
        x = left + plot_w * marker
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 12}" x2="{x:.1f}" y2="{base}" stroke="{INK}" '
            'stroke-dasharray="4 3"/>'
        )
        body.append(_text(x, top - 16, f"{marker_label} {marker:.2f}".strip(), size=10))
    return _svg(width, height, title, body)


def grouped_bars(
    rows: Sequence[tuple[str, int, float | None, float | None]],
    *,
    title: str,
    legend: tuple[str, str],
) -> str:
    """Two horizontal bars per row: (label, count, share, score), both in [0, 1].

    The first value is shown as a percentage, the second as a two-decimal score.
    """
    label_w, bar_w, row_h = 170, 300, 34
    width, height = label_w + bar_w + 90, 40 + row_h * max(1, len(rows)) + 20
    body = []
    for j, (name, colour) in enumerate(zip(legend, (BLUE, ORANGE), strict=True)):
        x = label_w + j * 150
        body.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>')
        body.append(_text(x + 14, 17, name, anchor="start", size=11))
    for i, (label, count, first, second) in enumerate(rows):
        y = 34 + i * row_h
        body.append(_text(label_w - 8, y + 17, f"{label} ({count})", anchor="end"))
        for j, (value, colour) in enumerate(((first, BLUE), (second, ORANGE))):
            w = bar_w * (value or 0.0)
            yy = y + 4 + j * 13
            body.append(
                f'<rect x="{label_w}" y="{yy}" width="{bar_w}" height="11" fill="{GREY}" opacity="0.35"/>'
            )
            body.append(
                f'<rect class="bar" x="{label_w}" y="{yy}" width="{w:.1f}" height="11" fill="{colour}"/>'
            )
            shown = "–" if value is None else f"{value:.0%}" if j == 0 else f"{value:.2f}"
            body.append(_text(label_w + bar_w + 6, yy + 10, shown, anchor="start", size=10))
    body.append(_text(width / 2, height - 4, title, size=11))
    return _svg(width, height, title, body)
