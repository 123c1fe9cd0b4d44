"""Finnish working days and the first-contact service level, across public holidays."""

from __future__ import annotations

from datetime import date

import pytest

from koonto.advisory.domain.schedule import ServiceLevel
from koonto.advisory.domain.workdays import add_working_days, is_working_day, next_working_day, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 4), True),  # Friday
        (date(2026, 12, 5), False),  # Saturday
        (date(2027, 12, 6), False),  # Itsenäisyyspäivä on a Monday
        (date(2026, 12, 24), False),  # jouluaatto
        (date(2026, 12, 25), False),  # joulupäivä
        (date(2026, 12, 28), True),
        (date(2026, 5, 14), False),  # helatorstai
        (date(2026, 6, 19), False),  # juhannusaatto
        (date(2027, 1, 6), False),  # loppiainen
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_adding_working_days_skips_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 12, 4), 0) == date(2026, 12, 4)
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # over the weekend
    assert add_working_days(date(2026, 12, 22), 2) == date(2026, 12, 28)  # over jouluaatto and joulupäivä
    assert add_working_days(date(2027, 12, 3), 1) == date(2027, 12, 7)  # over Itsenäisyyspäivä (Mon)
    assert next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)  # uudenvuodenpäivä, then a weekend
    assert working_days_between(date(2026, 12, 22), date(2026, 12, 28)) == 2
    with pytest.raises(ValueError):
        add_working_days(date(2026, 12, 4), -1)


def test_first_contact_service_level_lapses_on_the_working_day_after_the_deadline() -> None:
    level = ServiceLevel(working_days=2)
    # opened on Tuesday 22.12.2026: two working days are 23.12 and 28.12 (24.–27.12 are off)
    assert level.deadline(date(2026, 12, 22)) == date(2026, 12, 28)
    assert level.lapses_on(date(2026, 12, 22)) == date(2026, 12, 29)
    # opened on Friday 4.12.2026: Monday 7.12 and Tuesday 8.12; the coordinator hears on Wednesday
    assert level.lapses_on(date(2026, 12, 4)) == date(2026, 12, 9)
    # opened on Thursday 2.12.2027: deadline Friday 3.12 + Tuesday 7.12 (Itsenäisyyspäivä Monday 6.12)
    assert level.deadline(date(2027, 12, 2)) == date(2027, 12, 7)
