"""domain/quiet_hours.py reminder_due: the day-before reminder of an advice booking, out of the quiet hours."""

from __future__ import annotations

from datetime import datetime

from koonto.notify.domain.quiet_hours import reminder_due
from koonto.shared.clock import HELSINKI

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=HELSINKI)


def test_a_day_before_at_the_same_time_when_that_is_daytime() -> None:
    assert reminder_due(datetime(2026, 12, 3, 14, 0, tzinfo=HELSINKI), NOW) == datetime(
        2026, 12, 2, 14, 0, tzinfo=HELSINKI)


def test_an_early_session_is_reminded_of_when_the_quiet_hours_end() -> None:
    assert reminder_due(datetime(2026, 12, 3, 7, 0, tzinfo=HELSINKI), NOW) == datetime(
        2026, 12, 2, 8, 0, tzinfo=HELSINKI)
    assert reminder_due(datetime(2026, 12, 3, 22, 0, tzinfo=HELSINKI), NOW) == datetime(
        2026, 12, 3, 8, 0, tzinfo=HELSINKI)  # 22.00 the day before is quiet: the morning of the same day


def test_no_reminder_for_a_booking_made_less_than_a_day_ahead() -> None:
    assert reminder_due(datetime(2026, 12, 1, 10, 0, tzinfo=HELSINKI), NOW) is None
