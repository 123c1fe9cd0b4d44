"""The service's clock, injectable: quiet hours, retries and the 08:00 digest are tested by moving it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from koonto.shared.clock import as_utc, utcnow


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class SettableClock:
    """A clock that stands still until moved (tests, demos)."""

    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)

    def advance(self, delta: timedelta) -> None:
        self._at += delta
