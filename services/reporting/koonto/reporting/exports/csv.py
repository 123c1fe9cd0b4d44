"""The report as one CSV file: each section as a block (title row, header row, data rows, empty row).

Semicolon-separated with a byte-order mark, as Finnish spreadsheet programs open it directly.
"""

from __future__ import annotations

import csv
import io

from koonto.reporting.domain.report import Table


def build_csv(meta: list[tuple[str, str]], tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for label, value in meta:
        writer.writerow([label, value])
    writer.writerow([])
    for table in tables:
        writer.writerow([f"# {table.title}"])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(["" if v is None else v for v in row])
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
