"""Charts drawn on the server as inline SVG (no script, nothing fetched from elsewhere).

Colours come from CSS classes in app.css (chart-*); every bar and point carries a <title>
tooltip, and each chart an aria-label. The pages also show the numbers as tables.
"""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28


@dataclass
class Series:
    """One named row of values drawn in one colour class."""

    name: str
    values: list[float]
    css: str


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least value (1 for 0)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _frame(title: str, body: list[str], y_max: float, width: int, height: int) -> Markup:
    plot_h = height - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = y_max * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="chart-grid" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{_fmt(value)}</text>'
        )
    parts += body
    parts.append("</svg>")
    return Markup("".join(parts))


def _x_labels(labels: list[str], slot: float, width: int, height: int) -> list[str]:
    every = max(1, math.ceil(len(labels) / 10))
    out = []
    for i, label in enumerate(labels):
        last = i == len(labels) - 1 and i % every >= every / 2
        if i % every == 0 or last:
            x = PAD_LEFT + slot * (i + 0.5)
            out.append(
                f'<text class="chart-axis" x="{x:.1f}" y="{height - 8}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return out


def bar_chart(
    title: str,
    labels: list[str],
    series: list[Series],
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
    tooltips: list[str] | None = None,
) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series."""
    y_max = nice_max(max((v for s in series for v in s.values), default=0))
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(labels))
    bar_w = slot * 0.8 / max(1, len(series))
    body = []
    for i, label in enumerate(labels):
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / y_max
            x = PAD_LEFT + slot * i + slot * 0.1 + bar_w * j
            y = PAD_TOP + plot_h - h
            tip = tooltips[i] if tooltips else label
            body.append(
                f'<rect class="chart-bar {s.css}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}">'
                f"<title>{escape(tip)}: {_fmt(value)} {escape(s.name)}{escape(unit)}</title></rect>"
            )
    body += _x_labels(labels, slot, width, height)
    return _frame(title, body, y_max, width, height)


def line_chart(
    title: str,
    labels: list[str],
    values: list[float],
    limit: float | None = None,
    limit_label: str = "limit",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """A line of values with an optional horizontal limit line."""
    y_max = nice_max(max([*values, limit or 0], default=0))
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(labels))
    points = [
        (PAD_LEFT + slot * (i + 0.5), PAD_TOP + plot_h - plot_h * v / y_max)
        for i, v in enumerate(values)
    ]
    body = []
    if limit is not None:
        y = PAD_TOP + plot_h - plot_h * limit / y_max
        body.append(
            f'<line class="chart-limit" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"><title>{escape(limit_label)}: {_fmt(limit)}</title></line>'
            f'<text class="chart-axis chart-limit-label" x="{width - PAD_RIGHT}" y="{y - 4:.1f}" '
            f'text-anchor="end">{escape(limit_label)} {_fmt(limit)}</text>'
        )
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="chart-line" points="{path}"/>')
        for (x, y), label, value in zip(points, labels, values, strict=True):
            body.append(
                f'<circle class="chart-point" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"<title>{escape(label)}: {_fmt(value)}</title></circle>"
            )
    body += _x_labels(labels, slot, width, height)
    return _frame(title, body, y_max, width, height)


def stacked_rows(
    title: str, rows: list[tuple[str, list[tuple[str, float, str]]]], width: int = WIDTH
) -> Markup:
    """Horizontal stacked bars, one row per label: [(label, [(part, value, css), ...]), ...]."""
    row_h, gap, label_w = 26, 8, 150
    height = max(1, len(rows)) * (row_h + gap) + gap
    total_max = max((sum(v for _p, v, _c in parts) for _l, parts in rows), default=0) or 1
    plot_w = width - label_w - PAD_RIGHT - 40
    body = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, parts) in enumerate(rows):
        y = gap + i * (row_h + gap)
        body.append(
            f'<text class="chart-axis chart-row-label" x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        x = float(label_w)
        for part, value, css in parts:
            w = plot_w * value / total_max
            if w > 0:
                body.append(
                    f'<rect class="chart-bar {css}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                    f'height="{row_h}"><title>{escape(label)}: {_fmt(value)} {escape(part)}</title>'
                    "</rect>"
                )
            x += w
        total = sum(v for _p, v, _c in parts)
        body.append(
            f'<text class="chart-axis" x="{x + 6:.1f}" y="{y + row_h / 2 + 4:.1f}">'
            f"{_fmt(total)}</text>"
        )
    body.append("</svg>")
    return Markup("".join(body))
