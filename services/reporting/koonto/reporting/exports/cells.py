"""Text cells that a spreadsheet program cannot take for a formula (OWASP "CSV injection").

A text that begins with `=`, `+`, `-`, `@`, a tab, a carriage return or a line feed is read as a formula (or
the start of one) by Excel, LibreOffice and Google Sheets when the file is opened, so a call named
`=HYPERLINK("http://evil…")` would become a live link in the funder's spreadsheet. Every text cell of every
export goes through `neutralise`: such a text gets a single quote in front (the spreadsheet's own "this is
text" mark), everything else, numbers included (negative ones too), is left as it is.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_formula_like(value: Any) -> bool:
    """Whether a spreadsheet would read this cell value as (the start of) a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """The value as a cell: a formula-like text with a quote in front, anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def neutralise_row(values: list[Any]) -> list[Any]:
    return [neutralise(value) for value in values]
