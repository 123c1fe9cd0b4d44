"""No SMS between 21:00 and 08:00 Europe/Helsinki: a message due in the quiet hours waits, it is not dropped."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from koonto.shared.clock import HELSINKI, as_utc


def in_quiet_hours(moment: datetime, start_hour: int = 21, end_hour: int = 8) -> bool:
    local = as_utc(moment).astimezone(HELSINKI).time()
    start, end = time(start_hour), time(end_hour)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def next_allowed(moment: datetime, start_hour: int = 21, end_hour: int = 8) -> datetime:
    """`moment` itself when SMS may go out then, else the end of the quiet hours that contain it (UTC)."""
    moment = as_utc(moment)
    if not in_quiet_hours(moment, start_hour, end_hour):
        return moment
    local = moment.astimezone(HELSINKI)
    day = local.date()
    if local.time() >= time(end_hour):  # evening part: the quiet hours end tomorrow morning
        day = day + timedelta(days=1)
    # constructing the wall-clock time in Helsinki keeps DST changes right
    return datetime.combine(day, time(end_hour), tzinfo=HELSINKI).astimezone(moment.tzinfo)


def reminder_due(starts_at: datetime, now: datetime, start_hour: int = 21, end_hour: int = 8) -> datetime | None:
    """When the day-before reminder of something at `starts_at` goes: 24 hours before, moved out of the quiet
    hours (a session at 7.00 is reminded of at 8.00 the day before). None when that moment is already past (a
    booking made less than a day ahead: its confirmation is the reminder) or not before the thing itself."""
    due = next_allowed(as_utc(starts_at) - timedelta(days=1), start_hour, end_hour)
    return due if as_utc(now) < due < as_utc(starts_at) else None
