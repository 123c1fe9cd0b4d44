"""The report as an Excel workbook: a cover sheet, then one sheet per section, Finnish headings.

The workbook's created/modified properties are the report's generation time, so the same events give the
same file apart from that time. Every text is a plain string cell, neutralised by `cells.neutralise`: a text
that begins like a formula is never stored as one.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from koonto.reporting.domain.report import Table
from koonto.reporting.exports.cells import neutralise_row

INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(title: str) -> str:
    return title.translate(INVALID_SHEET_CHARS)[:31]


def _append(ws: Any, values: list[Any]) -> None:
    """One row, every text a plain string cell: never a formula, whatever the text begins with."""
    ws.append(neutralise_row(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def build_xlsx(title: str, meta: list[tuple[str, str]], tables: list[Table], generated_at: datetime) -> bytes:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Raportti"
    _append(cover, [title])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in meta:
        _append(cover, [label, value])
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 40

    for table in tables:
        ws = wb.create_sheet(sheet_title(table.title))
        _append(ws, [table.title])
        ws["A1"].font = Font(bold=True, size=13)
        _append(ws, table.headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            _append(ws, row)
        if table.note:
            ws.append([])
            _append(ws, [table.note])
        ws.column_dimensions["A"].width = 42
        for index in range(2, len(table.headers) + 1):
            ws.column_dimensions[get_column_letter(index)].width = 20
        ws.freeze_panes = "A3"

    naive = generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "Koonto"
    wb.properties.title = title
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
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
