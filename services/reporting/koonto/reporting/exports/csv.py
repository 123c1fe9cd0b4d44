"""The report as one CSV file: each section as a block (title row, header row, data rows, empty row).

Two dialects (`?dialect=` of the CSV export; the reporting README documents them):

- `fi` (the default): what Finnish (and Swedish) Excel and LibreOffice open directly with a double click:
  semicolon-separated, decimal comma (`8,3`), UTF-8 with a byte-order mark, CRLF line ends. No thousands
  separator, so every figure is read as a number.
- `en`: the same for software and English-locale spreadsheets: comma-separated, decimal point (`8.3`), UTF-8
  with a byte-order mark, CRLF.

In both, a field holding the separator, a quote or a line break is quoted (RFC 4180), a figure is written
without a unit, an empty figure is an empty field, and every text cell goes through `cells.neutralise`, so no
text opens as a formula (numbers are numbers, never neutralised, negative ones included).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from koonto.reporting.domain.errors import QueryErrors
from koonto.reporting.domain.report import Table
from koonto.reporting.exports.cells import neutralise


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    decimal: str


DIALECTS = {"fi": Dialect("fi", ";", ","), "en": Dialect("en", ",", ".")}
DEFAULT_DIALECT = "fi"


def check_dialect(raw: str | None) -> str:
    """The dialect a query asks for (`fi` when none), or a message a person can act on."""
    name = (raw or "").strip().lower() or DEFAULT_DIALECT
    if name not in DIALECTS:
        raise QueryErrors({"dialect": "Tuntematon CSV-muoto (dialect): valitse fi (puolipiste ja desimaalipilkku, "
                                      "suomalainen Excel) tai en (pilkku ja desimaalipiste)."})
    return name


def cell(value: Any, dialect: Dialect) -> str:
    """One field: a figure with the dialect's decimal mark, a text neutralised, nothing as an empty field."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(neutralise(str(value)))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", dialect.decimal)


def build_csv(meta: list[tuple[str, str]], tables: list[Table], dialect: str = DEFAULT_DIALECT) -> bytes:
    chosen = DIALECTS[dialect]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=chosen.delimiter, lineterminator="\r\n")
    for label, value in meta:
        writer.writerow([cell(label, chosen), cell(value, chosen)])
    writer.writerow([])
    for table in tables:
        writer.writerow([f"# {table.title}"])
        writer.writerow([cell(header, chosen) for header in table.headers])
        for row in table.rows:
            writer.writerow([cell(value, chosen) for value in row])
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
