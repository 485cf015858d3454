"""Charts as inline SVG, drawn in Python: no JavaScript, no external assets, no plotting library.

Two shapes cover the study report and the declarations: a horizontal bar chart (labelled rows,
negative values to the left of a zero line) and a histogram with marked percentiles. Every
number drawn is one the caller passes; the SVG scales to its container's width.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

POSITIVE = "#2f7d4f"
NEGATIVE = "#b5473a"
NEUTRAL = "#3b6ea8"
INK = "#222"
MUTED = "#777"
FONT = "font-family=\"'Noto Sans CJK SC', 'Noto Sans SC', 'DejaVu Sans', sans-serif\""


def number(value: float, digits: int = 4) -> str:
    """A number as the report prints it: ``digits`` significant figures."""
    return f"{value:.{digits}g}"


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width: wide (CJK) characters 1 em, others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size for c in text)


def clip(text: str, width: float, size: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` at font ``size``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""  # shown after the value, e.g. a share "42.0%"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str,
    width: int = 640,
    row: int = 22,
    label_share: float = 0.36,
    chart_id: str | None = None,
) -> str:
    """Horizontal bars, one per row, scaled to the largest magnitude; negatives go left."""
    size = 11.0
    label_w = width * label_share
    value_w = 96.0
    plot_x, plot_w = label_w + 6, width - label_w - value_w - 12
    lows = min((b.value for b in bars), default=0.0)
    highs = max((b.value for b in bars), default=0.0)
    low, high = min(lows, 0.0), max(highs, 0.0)
    span = (high - low) or 1.0
    zero = plot_x + plot_w * (-low / span)
    height = row * max(len(bars), 1) + 24
    parts = [_open(width, height, title, chart_id)]
    for i, bar in enumerate(bars):
        y = 4 + i * row
        length = plot_w * abs(bar.value) / span
        x = zero - length if bar.value < 0 else zero
        colour = NEGATIVE if bar.value < 0 else POSITIVE
        label = clip(bar.label, label_w - 4, size)
        shown = number(bar.value) + (f" ({bar.note})" if bar.note else "")
        parts.append(
            f'<text x="{label_w:.1f}" y="{y + row * 0.62:.1f}" text-anchor="end" '
            f'font-size="{size}" fill="{INK}">{escape(label)}<title>{escape(bar.label)}</title>'
            "</text>"
            f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{max(length, 0.5):.1f}" '
            f'height="{row - 8:.1f}" rx="2" fill="{colour}"><title>{escape(bar.label)}: '
            f"{escape(shown)} {escape(unit)}</title></rect>"
            f'<text x="{width - value_w:.1f}" y="{y + row * 0.62:.1f}" font-size="{size}" '
            f'fill="{INK}">{escape(shown)}</text>'
        )
    axis_y = 4 + row * max(len(bars), 1)
    parts.append(
        f'<line x1="{zero:.1f}" y1="2" x2="{zero:.1f}" y2="{axis_y:.1f}" stroke="{MUTED}" '
        'stroke-width="1"/>'
        f'<text x="{plot_x + plot_w:.1f}" y="{axis_y + 14:.1f}" text-anchor="end" '
        f'font-size="10" fill="{MUTED}">{escape(unit)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    bins: Sequence[tuple[float, int]],
    *,
    title: str,
    unit: str,
    marks: dict[str, float] | None = None,
    width: int = 640,
    height: int = 200,
    chart_id: str | None = None,
) -> str:
    """Vertical bars of (left edge, count) bins of equal width, with vertical lines at
    ``marks`` (label → value, e.g. the 2.5th, 50th and 97.5th percentiles)."""
    if not bins:
        return _open(width, 40, title, chart_id) + "</svg>"
    left, right, top, bottom = 44.0, 12.0, 28.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    edges = [edge for edge, _ in bins]
    step = (edges[1] - edges[0]) if len(edges) > 1 else (abs(edges[0]) or 1.0)
    low, high = edges[0], edges[-1] + step
    span = (high - low) or 1.0
    tallest = max(count for _, count in bins) or 1
    slot = plot_w / len(bins)

    def at(value: float) -> float:
        return left + plot_w * (value - low) / span

    parts = [_open(width, height, title, chart_id)]
    for i, (edge, count) in enumerate(bins):
        h = plot_h * count / tallest
        parts.append(
            f'<rect x="{left + i * slot + 0.5:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(slot - 1, 0.5):.1f}" height="{h:.1f}" fill="{NEUTRAL}">'
            f"<title>{escape(number(edge))}–{escape(number(edge + step))}: {count}</title></rect>"
        )
    base = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}" '
        f'stroke="{MUTED}"/>'
        f'<text x="{left}" y="{base + 14:.1f}" font-size="10" fill="{INK}">'
        f"{escape(number(low))}</text>"
        f'<text x="{left + plot_w:.1f}" y="{base + 14:.1f}" font-size="10" text-anchor="end" '
        f'fill="{INK}">{escape(number(high))}</text>'
        f'<text x="{left + plot_w / 2:.1f}" y="{base + 28:.1f}" font-size="10" '
        f'text-anchor="middle" fill="{MUTED}">{escape(unit)}</text>'
        f'<text x="{left - 4}" y="{top + 8:.1f}" font-size="10" text-anchor="end" '
        f'fill="{MUTED}">{tallest}</text>'
        f'<text x="{left - 4}" y="{base:.1f}" font-size="10" text-anchor="end" '
        f'fill="{MUTED}">0</text>'
    )
    for i, (label, value) in enumerate((marks or {}).items()):
        x = at(value)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4 - 10 * (i % 2):.1f}" x2="{x:.1f}" y2="{base:.1f}" '
            f'stroke="{NEGATIVE}" stroke-dasharray="3 2"/>'
            f'<text x="{x:.1f}" y="{top - 6 if i % 2 == 0 else top - 16:.1f}" font-size="9" '
            f'text-anchor="middle" fill="{NEGATIVE}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str, chart_id: str | None) -> str:
    ident = f' id="{escape(chart_id)}"' if chart_id else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg"{ident} class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'{FONT} aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{escape(title)}</title>"
    )
