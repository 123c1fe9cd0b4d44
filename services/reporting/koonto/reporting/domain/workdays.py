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


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`: same day 0, Friday -> Monday 1.

    An end before the start (a backdated entry) counts as 0 rather than a negative duration.
    """
    if end <= start:
        return 0
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile_nearest_rank(values: list[int], p: float) -> int | None:
    """The nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
