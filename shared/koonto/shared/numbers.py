"""Numbers as the page's reader writes them (Babel): 53 000 and 8,3 in Finnish and Swedish, 53,000 and 8.3 in
English. One format for every table, chart and export, so a chart never says 1.5 beside a table's 1,5."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from koonto.shared.i18n import current_language


def format_number(value: Any, language: str | None = None) -> str:
    """An integer in whole groups, any other number with one decimal; None as a dash; other values as text."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    pattern = "#,##0" if float(value).is_integer() else "#,##0.0"
    return str(format_decimal(value, format=pattern, locale=language or current_language()))
