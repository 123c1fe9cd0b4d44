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
    """A clock that can be set to any moment (tests, demos). It keeps running from there like a real clock,
    unless `frozen`: retries and leases still see time pass."""

    def __init__(self, at: datetime, *, frozen: bool = False) -> None:
        self.frozen = frozen
        self.set(at)

    def now(self) -> datetime:
        return self._at if self.frozen else utcnow() + self._offset

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)
        self._offset = self._at - utcnow()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)
