"""Working days (Mon–Fri, Finnish public holidays off) and the statistics the funder asks for."""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _finnish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Finland(years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


@lru_cache(maxsize=64)
def _working_days_before(year: int) -> tuple[int, ...]:
    """For each day of `year` (by day of year, from 0), how many working days of the year come before it."""
    first = date(year, 1, 1)
    counts, seen = [], 0
    for offset in range((date(year + 1, 1, 1) - first).days):
        counts.append(seen)
        if is_working_day(first + timedelta(days=offset)):
            seen += 1
    return (*counts, seen)  # the last entry: the year's total


def _working_days_up_to(day: date) -> int:
    """Working days of `day.year` up to and including `day`."""
    before = _working_days_before(day.year)
    return before[day.timetuple().tm_yday - 1] + (1 if is_working_day(day) else 0)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`: same day 0, Friday -> Monday 1.

    An end before the start (a backdated entry) counts as 0 rather than a negative duration. Constant time per
    call (a report computes it for every case): counts per year are tabulated once.
    """
    if end <= start:
        return 0
    total = _working_days_up_to(end) - _working_days_up_to(start)
    for year in range(start.year, end.year):
        total += _working_days_before(year)[-1]
    return total


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile_nearest_rank(values: list[int], p: float) -> int | None:
    """The nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
