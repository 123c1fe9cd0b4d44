"""The case's state at a past moment, from its timeline (`domain.as_of`), and which days are as-of days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from koonto.advisory.domain.as_of import CaseAsOf, DayRefused, case_as_of, end_of_day, ended_day

pytestmark = pytest.mark.unit


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 9, day, hour, tzinfo=UTC)


TIMELINE = {
    "01": {"kind": "opened", "at": at(1), "stage": "idea"},
    "02": {"kind": "assigned", "at": at(2), "advisor_id": "staff-a"},
    "03": {"kind": "stage", "at": at(5), "from_stage": "idea", "to_stage": "sparring", "call_id": None},
    "04": {"kind": "message", "at": at(6), "text": "Hei"},
    "05": {"kind": "stage", "at": at(10).isoformat(), "to_stage": "preparing", "call_id": "call-1"},  # stored as text
    "06": {"kind": "assigned", "at": at(12).replace(tzinfo=None), "advisor_id": "staff-b"},  # a store's naive time
    "07": {"kind": "stage", "at": at(20), "to_stage": "withdrawn", "call_id": None},
}


def test_the_case_as_it_stood_at_each_moment() -> None:
    assert case_as_of(TIMELINE, at(1)) is None  # before it was opened (the moment itself is not before)
    assert case_as_of(TIMELINE, at(1, 10)) == CaseAsOf("idea", None, None)
    assert case_as_of(TIMELINE, at(7)) == CaseAsOf("sparring", "staff-a", None)
    assert case_as_of(TIMELINE, at(11)) == CaseAsOf("preparing", "staff-a", "call-1")
    assert case_as_of(TIMELINE, at(13)) == CaseAsOf("preparing", "staff-b", "call-1")
    assert case_as_of(TIMELINE, at(30)) == CaseAsOf("withdrawn", "staff-b", None)
    assert case_as_of({}, at(30)) is None


def test_an_as_of_day_has_ended_and_is_a_date() -> None:
    today = date(2026, 10, 10)
    assert ended_day("", today) is None and ended_day("2026-10-09", today) == date(2026, 10, 9)
    for raw, reason in (("2026-10-10", "future"), ("2026-12-24", "future"), ("9.10.2026", "invalid"),
                        ("2026-13-01", "invalid"), ("x" * 10, "invalid")):
        with pytest.raises(DayRefused) as caught:
            ended_day(raw, today)
        assert caught.value.reason == reason, raw
    assert end_of_day(date(2026, 9, 30)) == datetime(2026, 9, 30, 21, tzinfo=UTC)
