"""Server-rendered SVG bar charts: every bar carries its label and its value as text, so colour never carries
meaning alone, and the chart has an accessible name (<title>) and description (<desc>)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from koonto.shared.numbers import format_number

BAR = "#003479"
TEXT = "#1b1b1b"
# The chart is drawn 300 units wide with 13-unit text and shown at most 24rem wide (reporting.css): on a 320 px
# phone (288 px of content) its text is 12.5 px, on a wide screen 16.6 px. Each row is its label on a line of
# its own with the bar and the value under it, so long labels need no side column.
WIDTH, FONT, ROW, BAR_HEIGHT, VALUE_ROOM = 300, 13, 40, 14, 64
LABEL_CHARS = 44


def bar_chart(chart_id: str, title: str, points: list[tuple[str, float]], *, description: str = "") -> Markup:
    """Values written as the page's tables write them (`format_number`, Babel, in the page's language)."""
    bar_room = WIDTH - VALUE_ROOM
    height = max(ROW * len(points), ROW) + 4
    top = max((v for _, v in points), default=0) or 1
    desc = description or "; ".join(f"{label}: {format_number(value)}" for label, value in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="inherit" font-size="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for index, (label, value) in enumerate(points):
        y = index * ROW
        length = 0 if value <= 0 else max(2, round(bar_room * value / top))
        shown = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        parts.append(
            f'<g><text x="0" y="{y + FONT}" fill="{TEXT}">{escape(shown)}</text>'
            f'<rect x="0" y="{y + FONT + 5}" width="{length}" height="{BAR_HEIGHT}" fill="{BAR}"/>'
            f'<text x="{length + 6}" y="{y + FONT + 5 + BAR_HEIGHT - 2}" fill="{TEXT}">'
            f"{escape(format_number(value))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text inside was escaped above
