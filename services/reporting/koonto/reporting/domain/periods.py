"""Month roll-ups: which counters a report of a period reads.

Every daily counter (`day` = YYYY-MM-DD) has a monthly twin (`day` = YYYY-MM) kept beside it in its own
collection, written in the same plan. A report reads whole months from the roll-ups and only the days at the ends
of its period that do not fill a month from the daily counters, so a year's report reads twelve months of
roll-ups however many events the year held, instead of every daily counter of the year.

Two sums are needed: the period's own (ideas, sessions, ... between `first` and `last`) and everything up to
`last` (the stage counters: where the cases stand at the end of the period is the sum of every move before it).

Year roll-ups: every daily counter also has a year twin, and all the year twins of one metric, year and
municipality are *one* document (`day` = YYYY, key ""), each of its keys a field per value (`n~kuopio`,
`minutes~phone`: `packed_field`). A whole year then reads one document per metric and municipality instead of
twelve months times every key (a histogram's working days, the funnel's stage months, ...), whose number still
grew with the history while the keys of sparse months filled in. `cover(..., years=True)` reads whole years from
them; `unpack` turns such a document back into the rows the month and day counters are. The per-organisation
`advised` counters and the funnel's stage days have no year twin (`NO_YEAR_TWIN`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from koonto.reporting.domain.model import Increment

PACK = "~"  # a year document's field: value name, PACK, the counter's key (`packed_field`)
# no year document: `advised` (one counter per organisation, `domain.model`: a field each would grow with the
# history) and the funnel's stage days (`funnel_d`, `domain.recount`: a field per day; read by idea months)
NO_YEAR_TWIN = frozenset({"advised", "funnel_d"})
_ESCAPED = re.compile(r"%(25|2E)")


def with_month_rollups(increments: list[Increment]) -> list[Increment]:
    """The increments plus, for each daily one, the same values on its month's roll-up and on its year's
    document (one per metric, year and municipality; `packed_field`)."""
    months = [Increment(i.metric, i.day[:7], i.municipality, i.key, dict(i.values)) for i in increments
              if is_day(i.day)]
    years = [Increment(i.metric, i.day[:4], i.municipality, "", {packed_field(name, i.key): value
                                                                 for name, value in i.values.items()})
             for i in increments if is_day(i.day) and i.metric not in NO_YEAR_TWIN]
    return [*increments, *months, *years]


def packed_field(name: str, key: str) -> str:
    """The field of a year document holding value `name` of key `key` (a field name may not hold a dot)."""
    return f"{name}{PACK}{key.replace('%', '%25').replace('.', '%2E')}"


def unpack(doc: Mapping[str, Any], value_fields: frozenset[str]) -> list[dict[str, Any]]:
    """A year document as the rows of its keys (`metric`, `day`, `municipality`, `key` and the values), as a
    month roll-up of each key would be; fields that are not values (`_id`, markers) are left out."""
    rows: dict[str, dict[str, Any]] = {}
    for field, value in doc.items():
        name, mark, key = field.partition(PACK)
        if mark and name in value_fields:
            row = rows.get(key)
            if row is None:
                row = rows[key] = {"metric": doc.get("metric"), "day": doc.get("day"),
                                   "municipality": doc.get("municipality"),
                                   "key": _ESCAPED.sub(lambda m: "%" if m.group(1) == "25" else ".", key)}
            row[name] = value
    return list(rows.values())


def is_day(key: str) -> bool:
    return len(key) == 10


def is_year(key: str) -> bool:
    return len(key) == 4


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _merged(ranges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


@dataclass(frozen=True)
class Cover:
    """How a period [first, last] is read. Years, months and days are the stored text keys; ranges are inclusive.
    `months_upto` and `days_upto` also bound the stage dates of the funnel (`domain.recount.funnel_reached`)."""

    months: tuple[tuple[str, str], ...]       # whole months of the period (outside `years`), from the roll-ups
    days: tuple[tuple[str, str], ...]         # the period's days outside those months, from the daily counters
    months_upto: str | None                   # every month up to this one (the sum up to `last`)
    days_upto: tuple[str, str] | None         # and the days of `last`'s month up to `last`, when it is not whole
    years: tuple[str, str] | None = None      # whole years of the period, from the year documents
    years_upto: str | None = None             # every year up to this one (then the months read are `upto_months`)
    upto_months: tuple[str, str] | None = None  # the months read for the sum up to `last` ("" = from the start)

    def in_period(self, key: str) -> bool:
        if is_day(key):
            return any(a <= key <= b for a, b in self.days)
        if is_year(key):
            return self.years is not None and self.years[0] <= key <= self.years[1]
        return any(a <= key <= b for a, b in self.months)

    def up_to_last(self, key: str) -> bool:
        if is_day(key):
            return self.days_upto is not None and self.days_upto[0] <= key <= self.days_upto[1]
        if is_year(key):
            return self.years_upto is not None and key <= self.years_upto
        return self.upto_months is not None and self.upto_months[0] <= key <= self.upto_months[1]

    def day_queries(self) -> list[tuple[str, str]]:
        """The day ranges to read, overlapping ones merged."""
        return _merged({*self.days, *([self.days_upto] if self.days_upto else [])})

    def month_queries(self) -> list[tuple[str, str]]:
        """The month ranges to read, overlapping ones merged."""
        return _merged({*self.months, *([self.upto_months] if self.upto_months else [])})


def _months_and_days(first: date, last: date) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Whole months of [first, last] and the days outside them."""
    whole_from = first if first.day == 1 else _month_end(first) + timedelta(days=1)
    last_whole_end = last if last == _month_end(last) else _month_start(last) - timedelta(days=1)
    if whole_from > last_whole_end:
        return [], [(first.isoformat(), last.isoformat())]
    days = []
    if first < whole_from:
        days.append((first.isoformat(), (whole_from - timedelta(days=1)).isoformat()))
    if last_whole_end < last:
        days.append(((last_whole_end + timedelta(days=1)).isoformat(), last.isoformat()))
    return [(month_of(whole_from), month_of(last_whole_end))], days


def cover(first: date, last: date, *, years: bool = False) -> Cover:
    """The cover of [first, last]: whole months and edge days, and with `years` whole years first (a generation
    with year documents)."""
    year_from = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    year_to = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    whole_years = years and year_from <= year_to
    parts = [(first, last)]
    if whole_years:
        parts = ([(first, date(first.year, 12, 31))] if first.year < year_from else []) + (
            [(date(last.year, 1, 1), last)] if last.year > year_to else [])
    months: list[tuple[str, str]] = []
    days: list[tuple[str, str]] = []
    for a, b in parts:
        more_months, more_days = _months_and_days(a, b)
        months += more_months
        days += more_days
    if last == _month_end(last):
        months_upto, days_upto = month_of(last), None
    else:
        before = _month_start(last) - timedelta(days=1)
        months_upto, days_upto = month_of(before), (_month_start(last).isoformat(), last.isoformat())
    if not years:
        return Cover(tuple(months), tuple(days), months_upto, days_upto, upto_months=("", months_upto))
    # up to `last`: every year up to the last whole one (`year_to`: `last`'s own, or the one before), then the
    # months of `last`'s year up to `months_upto` and the days after them
    from_month = f"{last.year:04d}-01"
    upto_months = (from_month, months_upto) if year_to < last.year and months_upto >= from_month else None
    whole = (f"{year_from:04d}", f"{year_to:04d}") if whole_years else None
    return Cover(tuple(months), tuple(days), months_upto, days_upto, whole, f"{year_to:04d}", upto_months)
