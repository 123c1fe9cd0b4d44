"""The files of a report of several regions: each region's tables and their sums, drawn from the same tables.

csv and xlsx keep one block (sheet) per table, with a first column `Alue` naming the region of each row: every
region's rows, then the sums' (`Yhteensä`), so a spreadsheet filters or pivots by region. The pdf has a section
per region and one of the sums (national totals when the account sees every region), each with its own tables.
"""

from __future__ import annotations

from dataclasses import replace

from koonto.reporting.domain.report import Table

REGION_COLUMN = "Alue"
TOTAL = "Yhteensä"
Parts = list[tuple[str, list[Table]]]  # (the region's name, or TOTAL; its tables), in the same order of tables


def with_region_column(parts: Parts) -> list[Table]:
    """One table per table of the report, its rows of every part under a first column naming the part."""
    out = []
    for index, first in enumerate(parts[0][1]):
        rows = [[name, *row] for name, tables in parts for row in tables[index].rows]
        row_units = tuple(unit for _, tables in parts for unit in tables[index].row_units)
        units = ("", "", *first.units[1:]) if first.units else ()
        out.append(replace(first, headers=[REGION_COLUMN, *first.headers], rows=rows, chart_column=None,
                           chart_labels=[], units=units, row_units=row_units))
    return out


def sections_by_region(parts: Parts) -> list[Table]:
    """Every table of every part, its title naming the part (the pdf's sections)."""
    return [replace(table, id=f"{position}-{table.id}", title=f"{name}: {table.title}")
            for position, (name, tables) in enumerate(parts) for table in tables]
