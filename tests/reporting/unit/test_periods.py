"""A period is read from whole months of roll-ups plus its edge days, covering every day exactly once."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from koonto.reporting.domain.model import Increment
from koonto.reporting.domain.periods import cover, is_day, with_month_rollups

EARLIEST = date(2024, 1, 1)


def days_of(key: str) -> list[date]:
    if is_day(key):
        return [date.fromisoformat(key)]
    year, month = map(int, key.split("-"))
    day, out = date(year, month, 1), []
    while day.month == month:
        out.append(day)
        day += timedelta(days=1)
    return out


def keys_between(a: date, b: date) -> list[str]:
    """Every day key and every month key whose days lie in [a, b] or around it."""
    out, day = [], a - timedelta(days=40)
    while day <= b + timedelta(days=40):
        out.append(day.isoformat())
        if day.day == 1:
            out.append(f"{day.year:04d}-{day.month:02d}")
        day += timedelta(days=1)
    return out


@settings(max_examples=400, deadline=None)
@given(st.dates(date(2024, 3, 1), date(2027, 12, 31)), st.integers(0, 800))
def test_the_period_and_the_sum_up_to_its_end_cover_each_day_exactly_once(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    c = cover(first, last)
    period = [d for k in keys_between(EARLIEST, last) if c.in_period(k) for d in days_of(k)]
    assert sorted(period) == [first + timedelta(days=n) for n in range(span + 1)]  # each day once, no more
    upto = [d for k in keys_between(EARLIEST, last) if c.up_to_last(k) for d in days_of(k)]
    assert len(upto) == len(set(upto)) and max(upto) == last
    assert set(upto) >= {EARLIEST + timedelta(days=n) for n in range((last - EARLIEST).days + 1)}  # from the start
    # the day counters read are exactly the ones needed, in at most two queries
    queries = c.day_queries()
    assert len(queries) <= 2
    needed = {k for k in keys_between(EARLIEST, last) if is_day(k) and (c.in_period(k) or c.up_to_last(k))}
    assert needed == {k for k in keys_between(EARLIEST, last) if is_day(k) and any(a <= k <= b for a, b in queries)}


def test_a_calendar_year_reads_twelve_months_and_no_days() -> None:
    c = cover(date(2026, 1, 1), date(2026, 12, 31))
    assert c.months == ("2026-01", "2026-12") and c.days == () and c.day_queries() == []
    assert c.months_upto == "2026-12" and c.days_upto is None
    part = cover(date(2026, 3, 10), date(2026, 6, 15))
    assert part.months == ("2026-04", "2026-05")
    assert part.days == (("2026-03-10", "2026-03-31"), ("2026-06-01", "2026-06-15"))
    assert part.days_upto == ("2026-06-01", "2026-06-15") and part.months_upto == "2026-05"


def test_each_daily_increment_gets_its_month_twin() -> None:
    daily = [Increment("ideas", "2026-03-05", "kuopio", "", {"n": 1}),
             Increment("sessions", "2026-03-31", "kuopio", "phone", {"n": 1, "minutes": 30})]
    out = with_month_rollups(daily)
    assert out[:2] == daily
    assert [(i.metric, i.day, i.values) for i in out[2:]] == [
        ("ideas", "2026-03", {"n": 1}), ("sessions", "2026-03", {"n": 1, "minutes": 30})]
    assert out[2].counter_id == "ideas|2026-03|kuopio|"
