"""A period is read from whole years (year documents), whole months of roll-ups plus its edge days, covering every
day exactly once."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koonto.reporting.domain.model import Increment
from koonto.reporting.domain.periods import cover, is_day, is_year, packed_field, unpack, with_month_rollups

EARLIEST = date(2024, 1, 1)


def days_of(key: str) -> list[date]:
    if is_day(key):
        return [date.fromisoformat(key)]
    if is_year(key):
        first = date(int(key), 1, 1)
        return [first + timedelta(days=n) for n in range((date(int(key) + 1, 1, 1) - first).days)]
    year, month = map(int, key.split("-"))
    day, out = date(year, month, 1), []
    while day.month == month:
        out.append(day)
        day += timedelta(days=1)
    return out


def keys_between(a: date, b: date) -> list[str]:
    """Every day key, every month key and every year key whose days lie in [a, b] or around it."""
    out, day = [], a - timedelta(days=40)
    while day <= b + timedelta(days=400):
        out.append(day.isoformat())
        if day.day == 1:
            out.append(f"{day.year:04d}-{day.month:02d}")
        if (day.month, day.day) == (1, 1):
            out.append(f"{day.year:04d}")
        day += timedelta(days=1)
    return out


@settings(max_examples=400, deadline=None)
@given(st.dates(date(2024, 3, 1), date(2027, 12, 31)), st.integers(0, 1200), st.booleans())
def test_the_period_and_the_sum_up_to_its_end_cover_each_day_exactly_once(first: date, span: int, years: bool) -> None:
    last = first + timedelta(days=span)
    c = cover(first, last, years=years)
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
    months = c.month_queries()  # and the month roll-ups (ranges that do not overlap: no row is read twice)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(months))
    needed = {k for k in keys_between(EARLIEST, last) if len(k) == 7 and (c.in_period(k) or c.up_to_last(k))}
    assert needed == {k for k in keys_between(EARLIEST, last) if len(k) == 7 and any(a <= k <= b for a, b in months)}
    assert not years or not any(len(k) == 7 and c.in_period(k) for k in keys_between(EARLIEST, last) if k[:4]
                                in {y for y in (c.years or ()) if y})  # a whole year is never read by months
    if not years:
        assert c.years is None and c.years_upto is None


def test_a_calendar_year_reads_twelve_months_and_no_days() -> None:
    c = cover(date(2026, 1, 1), date(2026, 12, 31))
    assert c.months == (("2026-01", "2026-12"),) and c.days == () and c.day_queries() == []
    assert c.months_upto == "2026-12" and c.days_upto is None
    part = cover(date(2026, 3, 10), date(2026, 6, 15))
    assert part.months == (("2026-04", "2026-05"),)
    assert part.days == (("2026-03-10", "2026-03-31"), ("2026-06-01", "2026-06-15"))
    assert part.days_upto == ("2026-06-01", "2026-06-15") and part.months_upto == "2026-05"


def test_a_calendar_year_with_year_documents_reads_one_year_and_no_month() -> None:
    c = cover(date(2026, 1, 1), date(2026, 12, 31), years=True)
    assert c.years == ("2026", "2026") and c.years_upto == "2026" and c.month_queries() == [] and c.days == ()
    assert c.months_upto == "2026-12" and c.days_upto is None  # the funnel's stage bound, as without years
    so_far = cover(date(2026, 1, 1), date(2026, 6, 15), years=True)
    assert so_far.years is None and so_far.years_upto == "2025" and so_far.months == (("2026-01", "2026-05"),)
    assert so_far.upto_months == ("2026-01", "2026-05") and so_far.days_upto == ("2026-06-01", "2026-06-15")
    across = cover(date(2025, 11, 1), date(2027, 2, 28), years=True)
    assert across.years == ("2026", "2026") and across.months == (("2025-11", "2025-12"), ("2027-01", "2027-02"))


def test_each_daily_increment_gets_its_month_twin_and_its_year_document() -> None:
    daily = [Increment("ideas", "2026-03-05", "kuopio", "", {"n": 1}),
             Increment("sessions", "2026-03-31", "kuopio", "phone", {"n": 1, "minutes": 30}),
             Increment("advised", "2026-03-31", "kuopio", "org", {"n": 1})]
    out = with_month_rollups(daily)
    assert out[:3] == daily
    assert [(i.metric, i.day, i.values) for i in out[3:6]] == [("ideas", "2026-03", {"n": 1}),
                                                               ("sessions", "2026-03", {"n": 1, "minutes": 30}),
                                                               ("advised", "2026-03", {"n": 1})]
    assert out[3].counter_id == "ideas|2026-03|kuopio|"
    # the year documents: one per metric, year and municipality, a field per value and key (none per organisation)
    assert [(i.counter_id, i.values) for i in out[6:]] == [
        ("ideas|2026|kuopio|", {"n~": 1}), ("sessions|2026|kuopio|", {"n~phone": 1, "minutes~phone": 30})]


@pytest.mark.parametrize("key", ["", "phone", "r2026-03|sparring", "call.with.dots", "100%.x", "ä~%2E.$"])
def test_a_year_document_unpacks_into_the_rows_of_its_keys(key: str) -> None:
    doc = {"_id": "x|2026|kuopio|", "metric": "x", "day": "2026", "municipality": "kuopio", "key": "",
           packed_field("n", key): 3, packed_field("minutes", key): 5, packed_field("n", "other"): 1,
           "e_some-event~n": True}
    assert "." not in "".join(doc) and not any(field.startswith("$") for field in doc)
    rows = sorted(unpack(doc, frozenset({"n", "minutes"})), key=lambda r: r["key"] != key)
    assert rows == [{"metric": "x", "day": "2026", "municipality": "kuopio", "key": key, "n": 3, "minutes": 5},
                    {"metric": "x", "day": "2026", "municipality": "kuopio", "key": "other", "n": 1}]
