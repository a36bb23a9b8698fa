"""The lag chart of the operations page, drawn on the server as SVG (no script).

One point per minute of the last hour; minutes without a reading break the line, and each
reading has a dot, so a lone reading still shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 30


def _ceiling(value: float) -> float:
    """The smallest of 10, 20, 50, 100, 200, 500, ... at or above ``value``."""
    step = 10.0
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def minute_chart(title: str, labels: Sequence[str], values: Sequence[float | None]) -> str:
    """An SVG line chart of ``values`` (None: no reading that minute) over ``labels``."""
    count = len(values)
    high = _ceiling(max([v for v in values if v is not None] + [10]))

    def x(i: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (i / (count - 1) if count > 1 else 0.5)

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / high)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for tick in (high * i / 5 for i in range(6)):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'class="grid"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'class="tick">{tick:,.0f}</text>'
        )
    for i in range(0, count, max(1, count // 6)):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="tick">'
            f"{escape(labels[i])}</text>"
        )
    line: list[str] = []
    for i, value in enumerate([*values, None]):
        if value is None:
            if len(line) > 1:
                parts.append(
                    f'<polyline points="{" ".join(line)}" fill="none" stroke="#1f5fa8" '
                    'stroke-width="2" class="series"/>'
                )
            line = []
            continue
        line.append(f"{x(i):.1f},{y(value):.1f}")
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" fill="#1f5fa8">'
            f"<title>{escape(labels[i])}: {value:,.0f}</title></circle>"
        )
    if all(v is None for v in values):
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" class="empty">'
            "कोई माप नहीं · No readings</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
