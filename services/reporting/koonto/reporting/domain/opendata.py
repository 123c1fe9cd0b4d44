"""The open-data indicators: the read models' counters as cells per year and quarter, municipality and theme,
with small numbers suppressed (`domain.suppression`). Pure: counter rows in, cells out.

Each indicator of each year (and each theme, for ideas by theme) is one grid: the municipalities (plus "other",
ideas from outside the region, and "region_wide", events that belong to no single municipality) down, the
quarters across, with the municipality's year, the region's quarter and the region's year as totals. The totals
are the exact sums of their cells, so every row and column is an equation a reader could use, and the
suppression protects each of them.

`associations_advised` counts distinct associations, so its totals are not sums (an association advised in two
quarters counts once in the year); it is protected as if they were (an association belongs to one
municipality, so the region's quarter is in practice the sum of its municipalities).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from koonto.reporting.domain.model import REGION_WIDE
from koonto.reporting.domain.suppression import PUBLISHED, TOTAL, Status, grid_equations, protect

OUTSIDE_REGION = "other"  # ideas whose association is in no municipality of the region
NO_MUNICIPALITY = "region_wide"  # the published code of REGION_WIDE
QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Indicator:
    id: str
    metric: str  # the counters it sums (`domain.model`)
    value: str = "n"  # which value of those counters
    key: str | None = None  # only the counters with this key
    by_theme: bool = False  # one grid per theme (the counters' key is the theme)
    distinct: bool = False  # the number of distinct keys (associations), not a sum
    suppressed: bool = True  # a small count could point at one association or person
    source: tuple[str, ...] = ()  # the events it is counted from


INDICATORS: tuple[Indicator, ...] = (
    Indicator("ideas_received", "ideas", source=("idea-submitted",)),
    Indicator("ideas_received_by_theme", "ideas_theme", by_theme=True, source=("idea-submitted",)),
    Indicator("associations_advised", "advised", distinct=True, source=("session-logged",)),
    Indicator("advice_sessions", "sessions", source=("session-logged",)),
    Indicator("applications_submitted", "applications", source=("stage-changed",)),
    Indicator("projects_funded", "decisions", key="funded", source=("stage-changed",)),
    # a training or forum is a public event: how many were held points at nobody
    Indicator("events_held", "events_held", suppressed=False, source=("attendance-recorded",)),
    Indicator("event_participants", "events_held", value="participants", source=("attendance-recorded",)),
)
BY_ID = {indicator.id: indicator for indicator in INDICATORS}


@dataclass(frozen=True)
class Cell:
    indicator: str
    year: int
    quarter: int | None  # None: the whole year
    municipality: str | None  # None: the whole region
    theme: str | None
    value: int
    status: Status

    @property
    def published(self) -> int | None:
        """The figure as published: None when it is suppressed."""
        return self.value if self.status == PUBLISHED else None

    @property
    def suppressed(self) -> str | None:
        return None if self.status == PUBLISHED else self.status


def quarter_of(day: str) -> tuple[int, int]:
    """(year, quarter) of a counter's day key, YYYY-MM or YYYY-MM-DD."""
    return int(day[:4]), (int(day[5:7]) - 1) // 3 + 1


def published_municipality(code: str) -> str:
    return NO_MUNICIPALITY if code == REGION_WIDE else code


def periods(rows: Iterable[Mapping[str, Any]], today: date) -> dict[int, tuple[int, ...]]:
    """The years from the first one with data to this one, each with its quarters up to today's."""
    this_year, this_quarter = today.year, (today.month - 1) // 3 + 1
    years = [quarter_of(str(r["day"]))[0] for r in rows if r.get("day")]
    first = min([this_year, *years])
    return {y: (QUARTERS if y < this_year else QUARTERS[:this_quarter]) for y in range(first, this_year + 1)}


class _Grid:
    """The cells of one indicator, year and theme before suppression: per municipality and quarter, a sum or
    the set of keys."""

    def __init__(self, distinct: bool) -> None:
        self.distinct = distinct
        self.sums: dict[tuple[str, int], int] = {}
        self.keys: dict[tuple[str, int], set[str]] = {}

    def add(self, municipality: str, quarter: int, key: str, value: int) -> None:
        cell = (municipality, quarter)
        if self.distinct:
            if value:
                self.keys.setdefault(cell, set()).add(key)
        else:
            self.sums[cell] = self.sums.get(cell, 0) + value

    def values(self, rows: Sequence[str], quarters: Sequence[int]) -> dict[Any, int]:
        if not self.distinct:
            out: dict[Any, int] = {(m, q): self.sums.get((m, q), 0) for m in rows for q in quarters}
            for m in rows:
                out[(m, TOTAL)] = sum(out[(m, q)] for q in quarters)
            for q in quarters:
                out[(TOTAL, q)] = sum(out[(m, q)] for m in rows)
            out[(TOTAL, TOTAL)] = sum(out[(m, TOTAL)] for m in rows)
            return out

        def union(cells: Iterable[tuple[str, int]]) -> int:
            found: set[str] = set()
            for cell in cells:
                found |= self.keys.get(cell, set())
            return len(found)

        out = {(m, q): union([(m, q)]) for m in rows for q in quarters}
        out |= {(m, TOTAL): union((m, q) for q in quarters) for m in rows}
        out |= {(TOTAL, q): union((m, q) for m in rows) for q in quarters}
        out[(TOTAL, TOTAL)] = union((m, q) for m in rows for q in quarters)
        return out


def _grids(
    rows: Iterable[Mapping[str, Any]], indicator: Indicator, years: Mapping[int, tuple[int, ...]]
) -> tuple[dict[tuple[int, str | None], _Grid], set[str]]:
    grids: dict[tuple[int, str | None], _Grid] = {}
    seen: set[str] = set()
    for row in rows:
        if row.get("metric") != indicator.metric or (indicator.key is not None and row.get("key") != indicator.key):
            continue
        year, quarter = quarter_of(str(row["day"]))
        if quarter not in years.get(year, ()):
            continue  # ahead of today (a session logged in advance): not published yet
        municipality = published_municipality(str(row.get("municipality") or REGION_WIDE))
        theme = str(row.get("key")) if indicator.by_theme else None
        grid = grids.setdefault((year, theme), _Grid(indicator.distinct))
        grid.add(municipality, quarter, str(row.get("key") or ""), int(row.get(indicator.value) or 0))
        seen.add(municipality)
    return grids, seen


def indicator_cells(
    rows: Sequence[Mapping[str, Any]], indicator: Indicator, municipalities: Sequence[str], themes: Sequence[str],
    years: Mapping[int, tuple[int, ...]],
) -> list[Cell]:
    """Every cell of one indicator: each municipality (of the region, then the others that occur) and the region,
    each quarter and the year, each theme when by theme; suppressed as `domain.suppression` decides."""
    grids, seen = _grids(rows, indicator, years)
    extra = sorted(seen - set(municipalities))
    down = [*municipalities, *extra]
    cells: list[Cell] = []
    for year, quarters in years.items():
        for theme in (themes if indicator.by_theme else [None]):
            values = grids.get((year, theme), _Grid(indicator.distinct)).values(down, quarters)
            status: Mapping[Any, Status] = (
                protect(values, grid_equations(down, quarters)) if indicator.suppressed
                else dict.fromkeys(values, PUBLISHED)
            )
            for (municipality, quarter), value in values.items():
                cells.append(Cell(
                    indicator.id, year, None if quarter == TOTAL else quarter,
                    None if municipality == TOTAL else municipality, theme, value, status[(municipality, quarter)],
                ))
    return cells


def sort_key(cell: Cell, municipality_order: Mapping[str | None, int]) -> tuple[Any, ...]:
    return (cell.year, cell.quarter or 5, INDICATORS.index(BY_ID[cell.indicator]), cell.theme or "",
            municipality_order.get(cell.municipality, len(municipality_order)), cell.municipality or "")


def open_data_cells(
    rows: Sequence[Mapping[str, Any]], municipalities: Sequence[str], themes: Sequence[str], today: date
) -> list[Cell]:
    """The whole open dataset, in a stable order: year, quarter (the year last), indicator, theme, the region's
    municipalities in the region file's order, then the others, then the region's total."""
    years = periods(rows, today)
    cells = [c for indicator in INDICATORS for c in indicator_cells(rows, indicator, municipalities, themes, years)]
    order: dict[str | None, int] = {code: i for i, code in enumerate(municipalities)}
    order |= {OUTSIDE_REGION: len(order), NO_MUNICIPALITY: len(order) + 1, None: len(order) + 2}
    return sorted(cells, key=lambda c: sort_key(c, order))
