"""A report "as of" a past day: what the day means, and reading it from a query.

"As of 30.9.2026" is the report as it could have been produced at the end of that day (Europe/Helsinki): from
the events **recorded in the stream** by then, i.e. every message of the KOONTO stream whose stream timestamp is
before 1.10.2026 00.00 Helsinki. The business dates inside the events (`submitted_at`, `held_on`, ...) still
place each figure in its period, but an event that reached the stream later never changes an as-of report,
whatever date it carries: a late correction recorded on 2.10. with a September date changes the current report,
not the one "as of 30.9.". Only that rule makes an old report reproducible; reading the events by their business
date would let every late correction rewrite last quarter's figures.

The position in the stream is therefore the real identity of an as-of report: the last stream sequence recorded
by the end of the day (`AsOf.sequence`), written into every export. A day that has not ended yet (today, or
later) has no as-of report: its figures can still change, the current report is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from koonto.reporting.domain.errors import QueryErrors
from koonto.shared.clock import DayRefused, end_of_day, ended_day, format_date

__all__ = ["FIELD", "AsOf", "AsOfInvalid", "as_of_file_suffix", "as_of_meta", "as_of_period", "end_of_day",
           "parse_as_of"]

FIELD = "as_of"


@dataclass(frozen=True)
class AsOf:
    day: date  # the Helsinki day whose end the report stands at
    moment: datetime  # the end of that day (UTC): events recorded before it count
    sequence: int  # the last stream sequence recorded before `moment` (0: none)


class AsOfInvalid(QueryErrors):
    """The as-of day is not a date (`reason="invalid"`) or has not ended yet (`reason="future"`); the message is
    Finnish (the API's language), the pages translate by `reason`."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "invalid": "Tilannepäivä (as_of) ei ole päivämäärä muodossa VVVV-KK-PP, esimerkiksi 2026-09-30.",
        "future": "Tilannepäivä (as_of) ei ole vielä päättynyt: valitse eilinen tai aiempi päivä. "
                  "Tämän päivän luvut ovat nykyisessä raportissa.",
    }

    def __init__(self, reason: str) -> None:
        super().__init__({FIELD: self.MESSAGES[reason]})
        self.reason = reason


def parse_as_of(raw: str | None, today: date) -> date | None:
    """The as-of day of a query (None: the current report), or `AsOfInvalid`: a day must be in the ISO form and
    before `today` (Helsinki)."""
    try:
        return ended_day(raw, today)
    except DayRefused as refused:
        raise AsOfInvalid(refused.reason) from None


def as_of_period(day: date) -> tuple[date, date]:
    """The period an as-of report shows when none is asked for: the calendar year of the as-of day (as the
    current report shows the current year)."""
    return date(day.year, 1, 1), date(day.year, 12, 31)


def as_of_meta(as_of: AsOf) -> list[tuple[str, str]]:
    """The rows a file carries about its as-of moment (Finnish, as the files are)."""
    return [
        ("Tilanne", f"{format_date(as_of.day)} lopussa"),
        ("Tapahtumavirran kohta", str(as_of.sequence)),
    ]


def as_of_file_suffix(as_of: AsOf | None) -> str:
    return f"-tilanne-{as_of.day.isoformat()}" if as_of else ""
