"""Line charts drawn on the server as SVG: no script, nothing fetched by the browser.

``line_chart`` takes a daily series and returns the markup of one chart. Days without a
value break the line; each value has a dot, so a lone day still shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 30


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float, low: float, high: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return TOP + span * (1 - (value - low) / (high - low))


def line_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    low: float,
    high: float,
    ticks: Sequence[float],
    tick_format: str = "{:g}",
    color: str = "#1f5fa8",
) -> str:
    """An SVG line chart of ``values`` (None: no data that day) over ``labels`` (dates)."""
    count = len(values)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for tick in ticks:
        y = _y(tick, low, high)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(tick_format.format(tick))}</text>"
        )
    step = max(1, count // 6)
    for i in range(0, count, step):
        parts.append(
            f'<text x="{_x(i, count):.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="tick">'
            f"{escape(labels[i][5:])}</text>"
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, value in enumerate(values):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        point = f"{_x(i, count):.1f},{_y(value, low, high):.1f}"
        segment.append(point)
        parts.append(
            f'<circle cx="{point.split(",")[0]}" cy="{point.split(",")[1]}" r="2.5" '
            f'fill="{color}"><title>{escape(labels[i])}: {escape(tick_format.format(value))}'
            "</title></circle>"
        )
    if segment:
        segments.append(segment)
    for points in segments:
        if len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                'stroke-width="2" class="series"/>'
            )
    if not any(v is not None for v in values):
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" class="empty">'
            "कोई प्रतिक्रिया नहीं · No feedback yet</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
