"""The service's sense of "now", injectable so tests (and demos) can live on 4.12.2026.

Everything inside is UTC; "today" is the date in Europe/Helsinki, since reminders fall due on Finnish days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from koonto.shared.clock import HELSINKI


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The real time, optionally shifted by a fixed offset (KOONTO_CLOCK_OFFSET_DAYS in non-production)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        return self.now().astimezone(HELSINKI).date()


@dataclass
class FixedClock:
    """A clock that stands still until told otherwise (tests)."""

    current: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def on(cls, day: date, hour: int = 9, minute: int = 0) -> FixedClock:
        return cls(helsinki_moment(day, hour, minute))

    def now(self) -> datetime:
        return self.current

    def today(self) -> date:
        return self.current.astimezone(HELSINKI).date()

    def set_day(self, day: date, hour: int = 9, minute: int = 0) -> None:
        self.current = helsinki_moment(day, hour, minute)

    def advance(self, delta: timedelta) -> None:
        self.current += delta


def helsinki_moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """The UTC instant of `day` at hour:minute in Helsinki."""
    return datetime.combine(day, time(hour, minute), HELSINKI).astimezone(UTC)
