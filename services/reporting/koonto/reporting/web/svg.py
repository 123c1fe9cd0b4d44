"""Server-rendered SVG bar charts: every bar carries its label and its value as text, so colour never carries
meaning alone, and the chart has an accessible name (<title>) and description (<desc>)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR = "#003479"
TEXT = "#1b1b1b"


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:.1f}".replace(".", ",")


def bar_chart(chart_id: str, title: str, points: list[tuple[str, float]], *, description: str = "") -> Markup:
    label_width, bar_width, value_width, row = 210, 300, 70, 26
    width = label_width + bar_width + value_width
    height = max(row * len(points), row) + 8
    top = max((v for _, v in points), default=0) or 1
    desc = description or "; ".join(f"{label}: {_fmt(value)}" for label, value in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="inherit" font-size="13">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for index, (label, value) in enumerate(points):
        y = 4 + index * row
        length = 0 if value <= 0 else max(2, round(bar_width * value / top))
        shown = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<g><text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT}">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="{row - 8}" fill="{BAR}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 17}" fill="{TEXT}">{escape(_fmt(value))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text inside was escaped above
