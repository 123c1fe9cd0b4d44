"""The report as a PDF: every section as a table, with a bar chart of its main figure beside the numbers.

Built in ReportLab's invariant mode (fixed document id and dates), so the only thing that differs between two
files of the same events is the generation time printed on the first page.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from koonto.reporting.domain.report import Table, format_figure

BAR_COLOUR = colors.HexColor("#003479")
WIDTH = A4[0] - 36 * mm


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def bar_chart(table: Table) -> Drawing | None:
    if table.chart_column is None:
        return None
    points = [(str(row[0]), _number(row[table.chart_column])) for row in table.rows]
    points = [(label, value) for label, value in points if value is not None]
    if not points or not any(value for _, value in points):
        return None
    row_height = 14
    height = max(60, row_height * len(points) + 40)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 170, 20
    chart.width, chart.height = WIDTH - 230, height - 40
    chart.data = [[value for _, value in reversed(points)]]
    chart.categoryAxis.categoryNames = [label[:34] for label, _ in reversed(points)]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BAR_COLOUR
    chart.barLabelFormat = "%g"
    chart.barLabels.nudge = 8
    chart.barLabels.fontSize = 7
    drawing.add(chart)
    drawing.add(String(0, height - 10, f"Kaavio: {table.headers[table.chart_column]}", fontName="Helvetica-Bold",
                       fontSize=8))
    return drawing


def build_pdf(title: str, meta: list[tuple[str, str]], tables: list[Table]) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author="Koonto", subject=title, creator="Koonto", invariant=1,
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm, lang="fi",
    )
    story: list[Any] = [Paragraph(escape(title), styles["Title"])]
    for label, value in meta:
        story.append(Paragraph(f"<b>{escape(label)}:</b> {escape(value)}", styles["Normal"]))
    story.append(Spacer(1, 6 * mm))
    for table in tables:
        block: list[Any] = [Paragraph(escape(table.title), styles["Heading2"])]
        data = [table.headers] + [[format_figure(v) for v in row] for row in table.rows]
        if len(data) == 1:
            data.append(["Ei tietoja"] + [""] * (len(table.headers) - 1))
        first = WIDTH * 0.46
        rest = (WIDTH - first) / max(1, len(table.headers) - 1)
        grid = PdfTable(data, colWidths=[first] + [rest] * (len(table.headers) - 1), repeatRows=1)
        grid.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        block.append(grid)
        if table.note:
            block.append(Paragraph(escape(table.note), styles["Italic"]))
        chart = bar_chart(table)
        if chart is not None:
            block += [Spacer(1, 3 * mm), chart]
        story.append(KeepTogether(block))
        story.append(Spacer(1, 4 * mm))
    doc.build(story)
    return buffer.getvalue()
