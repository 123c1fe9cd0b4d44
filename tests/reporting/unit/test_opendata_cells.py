"""The open-data cells from counter rows: quarters, years, distinct associations, the periods published."""

from __future__ import annotations

from datetime import date
from typing import Any

from koonto.reporting.domain.opendata import open_data_cells

TODAY = date(2026, 5, 20)  # in the second quarter


def row(metric: str, day: str, municipality: str, key: str = "", **values: int) -> dict[str, Any]:
    return {"metric": metric, "day": day, "municipality": municipality, "key": key, **values}


def cells_of(rows: list[dict[str, Any]], indicator: str) -> dict[tuple[Any, ...], Any]:
    return {(c.year, c.quarter, c.municipality, c.theme): c
            for c in open_data_cells(rows, ["kuopio", "iisalmi"], ["youth"], TODAY) if c.indicator == indicator}


def test_months_fall_into_quarters_and_the_year_sums_them() -> None:
    rows = [row("ideas", "2026-01", "kuopio", n=4), row("ideas", "2026-03", "kuopio", n=3),
            row("ideas", "2026-04", "kuopio", n=6), row("ideas", "2026-05", "iisalmi", n=9)]
    cells = cells_of(rows, "ideas_received")
    assert cells[(2026, 1, "kuopio", None)].published == 7
    assert cells[(2026, None, "kuopio", None)].published == 13
    assert cells[(2026, 2, None, None)].published == 15 and cells[(2026, None, None, None)].published == 22
    assert {q for (_, q, _, _) in cells} == {1, 2, None}  # the third quarter has not begun


def test_associations_advised_counts_each_association_once_in_the_year() -> None:
    rows = [row("advised", "2026-01", "kuopio", f"y:{n}", n=1) for n in range(6)]
    rows += [row("advised", "2026-04", "kuopio", f"y:{n}", n=2) for n in range(6)]  # the same six again
    cells = cells_of(rows, "associations_advised")
    assert cells[(2026, 1, "kuopio", None)].published == 6 and cells[(2026, 2, "kuopio", None)].published == 6
    assert cells[(2026, None, "kuopio", None)].published == 6


def test_earlier_years_are_whole_and_events_outside_municipalities_have_their_own_row() -> None:
    rows = [row("events_held", "2025-11", "_region", "training", n=1, participants=30),
            row("ideas_theme", "2026-02", "kuopio", "youth", n=5)]
    held = cells_of(rows, "events_held")
    assert held[(2025, 4, "region_wide", None)].published == 1
    assert {q for (y, q, _, _) in held if y == 2025} == {1, 2, 3, 4, None}
    assert cells_of(rows, "ideas_received_by_theme")[(2026, 1, "kuopio", "youth")].published == 5


def test_rows_of_days_after_today_are_not_published_yet() -> None:
    rows = [row("sessions", "2026-08", "kuopio", "phone", n=9)]
    assert all(c.value == 0 for c in cells_of(rows, "advice_sessions").values())
