"""Time helpers: UTC inside, Europe/Helsinki outside (CONVENTIONS rule 5)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Timezone-aware UTC; naive datetimes coming back from the store are UTC by convention."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def helsinki(value: datetime) -> datetime:
    return as_utc(value).astimezone(HELSINKI)


def helsinki_date(value: datetime) -> date:
    return helsinki(value).date()


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fromisoformat alone would also take 20260131


class DayRefused(ValueError):
    """Not a day that has ended: `reason` is "invalid" (not YYYY-MM-DD) or "future" (today or later)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def end_of_day(day: date) -> datetime:
    """The end of a Helsinki day as a UTC instant: the next day's 00.00 in Helsinki (23 or 25 hours after the day's
    start when the clocks change)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=HELSINKI).astimezone(UTC)


def ended_day(raw: str | None, today: date) -> date | None:
    """A Helsinki day that has ended, from `YYYY-MM-DD` text (None when blank), else `DayRefused`: what the
    "as of" views of reporting and advisory take."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        if not ISO_DAY.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise DayRefused("invalid") from None
    if day >= today:
        raise DayRefused("future")
    return day


def format_date(value: date | datetime) -> str:
    """29.11.2026"""
    if isinstance(value, datetime):
        value = helsinki(value).date()
    return f"{value.day}.{value.month}.{value.year}"


def format_time(value: datetime) -> str:
    """14.30"""
    local = helsinki(value)
    return f"{local.hour}.{local.minute:02d}"


TIME_WORD = {"fi": "klo", "sv": "kl."}


def format_datetime(value: datetime, language: str = "fi") -> str:
    """29.11.2026 klo 14.30 (Finnish), 29.11.2026 kl. 14.30 (Finland Swedish), 29.11.2026 14.30 (English)."""
    word = TIME_WORD.get(language)
    return f"{format_date(value)} {word} {format_time(value)}" if word else f"{format_date(value)} {format_time(value)}"


def format_money_eur(amount: int | float | None) -> str:
    """1 250 € (a narrow no-break space groups thousands, as Finnish style does)."""
    if amount is None:
        return ""
    whole = int(amount)
    grouped = f"{whole:,}".replace(",", "\u00a0")
    return f"{grouped}\u00a0€"
