"""The report as an Excel workbook: a cover sheet, then one sheet per section, Finnish headings.

Figures are number cells with a number format (`NUMBER_FORMATS`: thousands separators, euros, hours and
working days with one decimal, shares in per cent), so the spreadsheet shows them in its own locale (a Finnish
Excel: 53 000 €, 8,3) and can still sum them. Columns are as wide as their longest figure or label (headers wrap),
and every table the dashboard draws as a chart gets a native Excel bar chart beside it, drawn from the table's
own cells.

The workbook's created/modified properties are the report's generation time, so the same events give the
same file apart from that time. Every text is a plain string cell, neutralised by `cells.neutralise`: a text
that begins like a formula is never stored as one.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from koonto.reporting.domain.report import COUNT, DAYS, EUR, HOURS, PERCENT, Table, format_figure
from koonto.reporting.exports.cells import neutralise_row

INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})

# Excel number format codes: `,` is the thousands separator and `.` the decimal point of the code; Excel shows
# them in the reader's locale (a space and a comma in Finnish).
NUMBER_FORMATS = {
    COUNT: "#,##0",
    EUR: '#,##0\\ "€"',
    HOURS: "#,##0.0",
    DAYS: "#,##0.0",
    PERCENT: '0.0\\ "%"',  # the figure is already a percentage (85.7), not a fraction
}
EXTRA_CHARS = {EUR: 2, PERCENT: 2}  # the " €" / " %" a format adds to what `format_figure` gives
MIN_WIDTH, MAX_WIDTH, HEADER_LINES = 10, 60, 3
CHART_GAP = 1  # empty columns between a table and its chart


def sheet_title(title: str) -> str:
    return title.translate(INVALID_SHEET_CHARS)[:31]


def is_figure(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_format(unit: str, value: float) -> str:
    """The format of a figure: its unit's, but never one that hides the decimal of a fraction counted as a count."""
    if unit == COUNT and isinstance(value, float) and not value.is_integer():
        return NUMBER_FORMATS[HOURS]
    return NUMBER_FORMATS[unit]


def _append(ws: Any, values: list[Any]) -> None:
    """One row, every text a plain string cell: never a formula, whatever the text begins with."""
    ws.append(neutralise_row(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def column_widths(table: Table) -> list[float]:
    """Each column as wide as its longest value as shown (and its header in at most three wrapped lines)."""
    widths = []
    for column, header in enumerate(table.headers):
        longest_word = max((len(word) for word in header.split()), default=0)
        wanted = max(longest_word, -(-len(header) // HEADER_LINES))
        for index, row in enumerate(table.rows):
            value = row[column] if column < len(row) else None
            shown = format_figure(value) if value is not None else ""
            extra = EXTRA_CHARS.get(table.unit(index, column), 0) if is_figure(value) else 0
            wanted = max(wanted, len(shown) + extra)
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, wanted + 2))))
    return widths


def _table_sheet(wb: Workbook, table: Table) -> None:
    ws = wb.create_sheet(sheet_title(table.title))
    _append(ws, [table.title])
    ws["A1"].font = Font(bold=True, size=13)
    _append(ws, table.headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left" if cell.column == 1 else "right")
    for index, row in enumerate(table.rows):
        _append(ws, row)
        for column, cell in enumerate(ws[ws.max_row]):
            if column and is_figure(cell.value):
                cell.number_format = number_format(table.unit(index, column), cell.value)
            elif column:
                cell.alignment = Alignment(horizontal="right")
    if table.note:
        ws.append([])
        _append(ws, [table.note])
    for index, width in enumerate(column_widths(table), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    if table.chart_points():
        ws.add_chart(bar_chart(ws, table), f"{get_column_letter(len(table.headers) + CHART_GAP + 1)}2")


def bar_chart(ws: Any, table: Table) -> BarChart:
    """A native horizontal bar chart of the table's chart column, rows in the table's order, values on the bars."""
    assert table.chart_column is not None
    column, last_row = table.chart_column + 1, 2 + len(table.rows)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = f"{table.title}: {table.headers[table.chart_column]}"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=column, min_row=2, max_row=last_row), titles_from_data=True)
    labels = Reference(ws, min_col=1, min_row=3, max_row=last_row)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(labels)))  # text labels (set_categories: numbers)
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorGridlines = None
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.gapWidth = 60
    chart.width = 16
    chart.height = max(6.0, 0.7 * len(table.rows) + 3)
    return chart


def build_xlsx(title: str, meta: list[tuple[str, str]], tables: list[Table], generated_at: datetime) -> bytes:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Raportti"
    _append(cover, [title])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in meta:
        _append(cover, [label, value])
        cover.cell(cover.max_row, 1).font = Font(bold=True)
    cover.column_dimensions["A"].width = max(MIN_WIDTH, *(len(label) + 2 for label, _ in meta))
    cover.column_dimensions["B"].width = min(MAX_WIDTH * 2, max(MIN_WIDTH, *(len(value) + 2 for _, value in meta)))

    for table in tables:
        _table_sheet(wb, table)

    naive = generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "Koonto"
    wb.properties.title = title
    wb.properties.language = "fi-FI"
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.lastModifiedBy = "Koonto"
    buffer = io.BytesIO()
    wb.save(buffer)
    return _stamp_zip(buffer.getvalue(), naive)


def _stamp_zip(data: bytes, when: datetime) -> bytes:
    """Give every part of the xlsx package the generation time, so equal reports are equal bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl's save stamps `modified` with the wall clock
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", content)
            target.writestr(info, content)
    return out.getvalue()
