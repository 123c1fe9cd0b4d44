"""The report as one CSV file: each section as a block (title row, header row, data rows, empty row).

Semicolon-separated with a byte-order mark, as Finnish spreadsheet programs open it directly. Every text cell
goes through `cells.neutralise`, so no text opens as a formula.
"""

from __future__ import annotations

import csv
import io

from koonto.reporting.domain.report import Table
from koonto.reporting.exports.cells import neutralise_row


def build_csv(meta: list[tuple[str, str]], tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for label, value in meta:
        writer.writerow(neutralise_row([label, value]))
    writer.writerow([])
    for table in tables:
        writer.writerow([f"# {table.title}"])
        writer.writerow(neutralise_row(table.headers))
        for row in table.rows:
            writer.writerow(neutralise_row(["" if v is None else v for v in row]))
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
