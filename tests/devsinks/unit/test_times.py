"""The sink page's times: Helsinki time with the date, whatever the machine's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from koonto.devsinks.web import finnish_time, helsinki


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_winter_time_is_two_hours_ahead_of_utc() -> None:
    assert finnish_time(helsinki(at("2026-12-02T14:05:09"))) == "2.12.2026 klo 16.05.09"


def test_summer_time_is_three_hours_ahead_and_the_date_follows_helsinki() -> None:
    assert finnish_time(helsinki(at("2026-06-30T21:30:00"))) == "1.7.2026 klo 00.30.00"
