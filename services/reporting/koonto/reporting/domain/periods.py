"""Month roll-ups: which counters a report of a period reads.

Every daily counter (`day` = YYYY-MM-DD) has a monthly twin (`day` = YYYY-MM) kept beside it in its own
collection, written in the same plan. A report reads whole months from the roll-ups and only the days at the ends
of its period that do not fill a month from the daily counters, so a year's report reads twelve months of
roll-ups however many events the year held, instead of every daily counter of the year.

Two sums are needed: the period's own (ideas, sessions, ... between `first` and `last`) and everything up to
`last` (the stage counters: where the cases stand at the end of the period is the sum of every move before it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from koonto.reporting.domain.model import Increment


def with_month_rollups(increments: list[Increment]) -> list[Increment]:
    """The increments plus, for each daily one, the same values on its month's roll-up."""
    months = [Increment(i.metric, i.day[:7], i.municipality, i.key, dict(i.values)) for i in increments
              if is_day(i.day)]
    return [*increments, *months]


def is_day(key: str) -> bool:
    return len(key) == 10


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class Cover:
    """How a period [first, last] is read. Months and days are the stored text keys; ranges are inclusive."""

    months: tuple[str, str] | None            # whole months of the period, from the roll-ups
    days: tuple[tuple[str, str], ...]         # the period's days outside those months, from the daily counters
    months_upto: str | None                   # every month up to this one (the sum up to `last`)
    days_upto: tuple[str, str] | None         # and the days of `last`'s month up to `last`, when it is not whole

    def in_period(self, key: str) -> bool:
        if is_day(key):
            return any(a <= key <= b for a, b in self.days)
        return self.months is not None and self.months[0] <= key <= self.months[1]

    def up_to_last(self, key: str) -> bool:
        if is_day(key):
            return self.days_upto is not None and self.days_upto[0] <= key <= self.days_upto[1]
        return self.months_upto is not None and key <= self.months_upto

    def day_queries(self) -> list[tuple[str, str]]:
        """The day ranges to read, overlapping ones merged."""
        ranges = sorted({*self.days, *([self.days_upto] if self.days_upto else [])})
        merged: list[tuple[str, str]] = []
        for a, b in ranges:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged


def cover(first: date, last: date) -> Cover:
    whole_from = first if first.day == 1 else _month_end(first) + timedelta(days=1)
    last_whole_end = last if last == _month_end(last) else _month_start(last) - timedelta(days=1)
    if whole_from <= last_whole_end:
        months: tuple[str, str] | None = (month_of(whole_from), month_of(last_whole_end))
        days = []
        if first < whole_from:
            days.append((first.isoformat(), (whole_from - timedelta(days=1)).isoformat()))
        if last_whole_end < last:
            days.append(((last_whole_end + timedelta(days=1)).isoformat(), last.isoformat()))
    else:
        months, days = None, [(first.isoformat(), last.isoformat())]
    if last == _month_end(last):
        months_upto, days_upto = month_of(last), None
    else:
        before = _month_start(last) - timedelta(days=1)
        months_upto, days_upto = month_of(before), (_month_start(last).isoformat(), last.isoformat())
    return Cover(months, tuple(days), months_upto, days_upto)
