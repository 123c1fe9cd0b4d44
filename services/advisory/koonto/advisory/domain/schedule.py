"""When reminders and notices fall due: the first-contact service level and the funding-call notices.

Each rule answers "what is due on `today`" from dates alone; the scheduler then fires each due thing once
(a conditional single-document write), so a day the service was down is caught up on the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from koonto.advisory.domain.workdays import add_working_days, next_working_day


@dataclass(frozen=True)
class ServiceLevel:
    """First contact (a session or a stage move) within `working_days` Finnish working days of opening."""

    working_days: int

    def deadline(self, opened_on: date) -> date:
        """The last day on which the first contact is still on time."""
        return add_working_days(opened_on, self.working_days)

    def lapses_on(self, opened_on: date) -> date:
        """The working day on which the coordinator hears that the deadline passed without contact."""
        return next_working_day(self.deadline(opened_on))


CLOSING_SOON_DAYS = (14, 3)
# A call recorded long after it closed is history: no notice goes out for it any more.
CLOSED_CATCH_UP = timedelta(days=14)


def notices_until(closes_on: date) -> date:
    """The last day any notice of a call can fall due (the scheduler looks at calls up to then)."""
    return closes_on + CLOSED_CATCH_UP


@dataclass(frozen=True)
class CallNotice:
    key: str  # "opened", "closing-14", "closing-3", "closed": one flag per key on the call
    kind: str  # "opened", "closing-soon", "closed"
    days_left: int | None = None


def notice_keys() -> tuple[str, ...]:
    return ("opened", *(f"closing-{d}" for d in CLOSING_SOON_DAYS), "closed")


def call_notices_due(opens_on: date, closes_on: date, today: date) -> list[CallNotice]:
    """Notices of one call that are due on `today` (fire each once; the caller remembers what fired).

    - call-opened from the opening day until the call closes (a call created late still announces itself);
    - call-closing-soon 14 days before `closes_on` (until the 3-day notice takes over) and 3 days before
      (until the deadline day itself); a call shorter than that gets only the notices that still make sense;
    - call-closed on the day after `closes_on` (the deadline day is the last day to submit), caught up for
      two weeks at most.
    """
    due: list[CallNotice] = []
    if opens_on <= today <= closes_on:
        due.append(CallNotice("opened", "opened"))
    windows = sorted(CLOSING_SOON_DAYS, reverse=True)
    for i, days in enumerate(windows):
        start = closes_on - timedelta(days=days)
        end = closes_on - timedelta(days=windows[i + 1]) if i + 1 < len(windows) else closes_on + timedelta(days=1)
        if opens_on <= start <= today < end:  # a call shorter than the mark never gets that notice
            due.append(CallNotice(f"closing-{days}", "closing-soon", (closes_on - today).days))
    if closes_on < today <= closes_on + CLOSED_CATCH_UP:
        due.append(CallNotice("closed", "closed"))
    return due


def followups_due(due_on: date, today: date) -> bool:
    return due_on <= today
