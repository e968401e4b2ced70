"""Charts drawn on the server as inline SVG: no JavaScript library, readable without scripts.

Each function takes labels and numbers and returns safe SVG markup with a <title> for screen
readers. Only numbers and escaped labels go into the markup.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 44
PAD_BOTTOM = 34
PAD_TOP = 18
PAD_RIGHT = 12
INK = "#16181d"
ACCENT = "#d7261e"
GRID = "#dedfe3"


def _frame(title: str, body: list[str], height: int = HEIGHT) -> SafeString:
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMidYMid meet" width="100%">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - numbers and escaped labels only


def _nice_max(value: int) -> int:
    """The axis top: four equal whole-number steps of 1, 2, 3 or 5 times a power of ten."""
    magnitude = 1
    while True:
        for step in (1, 2, 3, 5):
            if step * magnitude * 4 >= value:
                return step * magnitude * 4
        magnitude *= 10


def _axes(top: int) -> list[str]:
    parts = []
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    for n in range(5):
        y = PAD_TOP + plot_h - plot_h * n / 4
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{top * n // 4}</text>'
        )
    return parts


def bar_chart(*, title: str, bars: list[tuple[str, int]]) -> SafeString:
    """Vertical bars, one per (label, value)."""
    top = _nice_max(max((value for _label, value in bars), default=0))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(bars))
    body = _axes(top)
    for index, (label, value) in enumerate(bars):
        h = plot_h * value / top
        x = PAD_LEFT + index * slot + slot * 0.15
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{max(h, 0):.1f}" fill="{ACCENT}">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" font-size="11" '
            f'text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
    return _frame(title, body)


def paired_bar_chart(
    *, title: str, groups: list[tuple[str, int, int]], names: tuple[str, str]
) -> SafeString:
    """Two bars per label (e.g. uploads and approvals per week), with a small legend."""
    top = _nice_max(max((max(a, b) for _label, a, b in groups), default=0))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(groups))
    body = _axes(top)
    colours = (INK, ACCENT)
    for index, (label, *values) in enumerate(groups):
        for series, value in enumerate(values):
            h = plot_h * value / top
            x = PAD_LEFT + index * slot + slot * (0.12 + 0.38 * series)
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
                f'width="{slot * 0.36:.1f}" height="{max(h, 0):.1f}" fill="{colours[series]}">'
                f"<title>{escape(label)} {escape(names[series])}: {value}</title></rect>"
            )
        if index % max(1, len(groups) // 6) == 0:
            body.append(
                f'<text x="{PAD_LEFT + index * slot + slot / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
                f'font-size="11" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
            )
    for series, name in enumerate(names):
        x = PAD_LEFT + 8 + series * 130
        body.append(
            f'<rect x="{x}" y="2" width="10" height="10" fill="{colours[series]}"/>'
            f'<text x="{x + 14}" y="11" font-size="11" fill="{INK}">{escape(name)}</text>'
        )
    return _frame(title, body)


def line_chart(*, title: str, points: list[tuple[str, int]]) -> SafeString:
    """A line with dots, one per (label, value), left to right."""
    top = _nice_max(max((value for _label, value in points), default=0))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(1, len(points) - 1)
    body = _axes(top)
    coords = [
        (PAD_LEFT + index * step, PAD_TOP + plot_h - plot_h * value / top)
        for index, (_label, value) in enumerate(points)
    ]
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(
            f'<polyline class="line" points="{path}" fill="none" stroke="{ACCENT}" '
            f'stroke-width="2.5"/>'
        )
    for index, ((x, y), (label, value)) in enumerate(zip(coords, points, strict=True)):
        body.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{ACCENT}">'
            f"<title>{escape(label)}: {value}</title></circle>"
        )
        if index % max(1, len(points) // 6) == 0:
            body.append(
                f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" font-size="11" '
                f'text-anchor="middle" fill="{INK}">{escape(label)}</text>'
            )
    return _frame(title, body)


def funnel_chart(*, title: str, steps: list[tuple[str, int]]) -> SafeString:
    """Horizontal bars, widest first, each labelled with its count."""
    widest = max((value for _label, value in steps), default=0) or 1
    row = 40
    height = PAD_TOP + row * len(steps) + 8
    label_w = 150
    plot_w = WIDTH - label_w - PAD_RIGHT - 50
    body = []
    for index, (label, value) in enumerate(steps):
        w = max(2.0, plot_w * value / widest)
        y = PAD_TOP + index * row
        x = label_w + (plot_w - w) / 2
        body.append(
            f'<text x="{label_w - 8}" y="{y + 20}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row - 10}" '
            f'fill="{ACCENT}" opacity="{1 - index * 0.15:.2f}">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{label_w + plot_w + 8}" y="{y + 20}" font-size="12" fill="{INK}">'
            f"{value}</text>"
        )
    return _frame(title, body, height=height)
