"""Figures that depend on a case's (or an organisation's) earliest dates, kept as counters.

The funnel, the durations and "associations advised" were computed at read time from every case document (and
every organisation's monthly counter), so a report grew with the history. Here they are counters too, moved by
the event handlers: each case (and each organisation per year) has a *basis*, the few dates its contribution is
made of, and a *plan*, the increments that basis contributes. When an event changes the basis (a late event with
an earlier date), the counters move by `delta(plan(old), plan(new))`, exactly once (`store.recounts`).

- Funnel (of the ideas received in [first, last], how many had reached each stage by `last`): a counter per case
  and stage reached, keyed by the idea's day (and month, the roll-up) and, in the key, the day (`funnel_d`) or
  the month (`funnel_m`) the stage was reached. A report reads whole idea months and edge idea days, and of them
  the stage months up to the last whole month before `last` plus the stage days of `last`'s own month
  (`domain.periods.cover`): a bounded number of documents whatever the history.
  The cohort itself is a counter on the idea's day (`cohort`).
- Durations: a histogram of working days per day the later moment fell on (`to_contact`, `to_submitted`, key =
  the number of working days), so a period sums a histogram and reads its median and 90th percentile from it.
- Associations advised in a calendar year up to a day: one counter increment per organisation, at the day of its
  first session of that year (`advised_year`, per municipality; `advised_year_all`, region-wide), and of all time
  (`advised_ever`, `advised_ever_all`) for the showcase's headline. A period that starts on 1 January and ends in
  the same year is the sum of these up to its end; any other period still counts distinct organisations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from koonto.reporting.domain.model import STAGES, Increment, day_of, region_wide
from koonto.reporting.domain.workdays import working_days_between

FUNNEL_BY_DAY, FUNNEL_BY_MONTH = "funnel_d", "funnel_m"
FUNNEL_METRICS = frozenset({FUNNEL_BY_DAY, FUNNEL_BY_MONTH})
COHORT = "cohort"  # every case with an idea, on the idea's day: the funnel's cohort
TO_CONTACT, TO_SUBMITTED = "to_contact", "to_submitted"
ADVISED_YEAR, ADVISED_YEAR_ALL = "advised_year", "advised_year_all"
ADVISED_EVER, ADVISED_EVER_ALL = "advised_ever", "advised_ever_all"
ALL_TIME = "all"

Basis = list[str | None]  # [municipality, idea day, first-contact day, the day each of STAGES was reached]


def _day(stamp: Any) -> str | None:
    """The Helsinki day of a stored moment (the UTC ISO text the store keeps, or a datetime)."""
    if stamp is None:
        return None
    return _day_of_text(stamp) if isinstance(stamp, str) else day_of(stamp)


@lru_cache(maxsize=1 << 16)
def _day_of_text(stamp: str) -> str:
    """`_day` of a stored text, remembered: a rebuild recounts a case once per window it is touched in."""
    return day_of(datetime.fromisoformat(stamp))


def case_basis(case: Mapping[str, Any] | None) -> Basis | None:
    """What a case's funnel and duration counters are made of; None while the idea itself is unknown."""
    if not case or case.get("idea_at") is None:
        return None
    return [str(case.get("municipality") or ""), _day(case.get("idea_at")), _day(case.get("first_contact_at")),
            *(_day(case.get(f"reached_{stage}")) for stage in STAGES)]


def _working_days(start: str, end: str) -> int:
    return working_days_between(date.fromisoformat(start), date.fromisoformat(end))


def funnel_key(reached: str, stage: str = "") -> str:
    """A funnel counter's key: the day or month a stage was reached, then the stage (`r2026-03-05|sparring`), so
    a text range on the key selects stage dates. The `r` keeps the key from reading as a date: a store that takes
    date-like text for a date would not compare it with a key that is not one."""
    return f"r{reached}|{stage}" if stage else f"r{reached}"


def case_plan(basis: Basis | None) -> list[Increment]:
    """The increments a case with this basis contributes (month roll-ups are added when they are applied)."""
    if basis is None:
        return []
    municipality, idea, contact, *reached = basis
    assert idea is not None and municipality is not None
    out = [Increment(COHORT, idea, municipality, "", {"n": 1})]
    for stage, day in zip(STAGES, reached, strict=True):
        if day is not None:
            out.append(Increment(FUNNEL_BY_DAY, idea, municipality, funnel_key(day, stage), {"n": 1}))
            out.append(Increment(FUNNEL_BY_MONTH, idea, municipality, funnel_key(day[:7], stage), {"n": 1}))
    if contact is not None:
        out.append(Increment(TO_CONTACT, contact, municipality, str(_working_days(idea, contact)), {"n": 1}))
    submitted = reached[STAGES.index("submitted")]
    if submitted is not None:
        out.append(Increment(TO_SUBMITTED, submitted, municipality, str(_working_days(idea, submitted)), {"n": 1}))
    return out


@dataclass(frozen=True)
class AdvisedScope:
    """One first-session marker: an organisation's first session of a year (or of all time), in a municipality
    or anywhere in the region."""

    metric: str
    period: str  # YYYY, or ALL_TIME
    municipality: str  # the case's, or REGION_WIDE

    def marker_id(self, org_key: str) -> str:
        return f"{self.metric}|{self.period}|{self.municipality}|{org_key}"

    def plan(self, first_day: str | None) -> list[Increment]:
        return [] if first_day is None else [Increment(self.metric, first_day, self.municipality, "", {"n": 1})]


def advised_scopes(day: str, municipality: str) -> list[AdvisedScope]:
    """The markers a session on `day` (YYYY-MM-DD) of a case in `municipality` may move."""
    year, whole = day[:4], region_wide(municipality)  # the region of the case's municipality (`model.scoped`)
    return [AdvisedScope(ADVISED_YEAR, year, municipality), AdvisedScope(ADVISED_YEAR_ALL, year, whole),
            AdvisedScope(ADVISED_EVER, ALL_TIME, municipality), AdvisedScope(ADVISED_EVER_ALL, ALL_TIME, whole)]


def earliest(old: str | None, day: str) -> str:
    return day if old is None or day < old else old


def delta(old: Iterable[Increment], new: Iterable[Increment]) -> list[Increment]:
    """What moves the counters from the `old` plan to the `new` one: per counter the difference, zeros left out."""
    sums: dict[str, dict[str, int]] = {}
    shape: dict[str, Increment] = {}
    for sign, plan in ((-1, old), (1, new)):
        for inc in plan:
            shape.setdefault(inc.counter_id, inc)
            values = sums.setdefault(inc.counter_id, {})
            for name, value in inc.values.items():
                values[name] = values.get(name, 0) + sign * value
    out = []
    for counter_id, values in sums.items():
        kept = {k: v for k, v in values.items() if v}
        if kept:
            inc = shape[counter_id]
            out.append(Increment(inc.metric, inc.day, inc.municipality, inc.key, kept))
    return out


def increments_of(plan: Sequence[Mapping[str, Any]]) -> list[Increment]:
    """A stored plan (`Increment.as_document` entries) back as increments."""
    return [Increment(str(e["metric"]), str(e["day"]), str(e["municipality"]), str(e["key"]), dict(e["values"]))
            for e in plan]


# -- reading ---------------------------------------------------------------------------------------------------
def histogram(rows: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    """A duration histogram's counters summed: how many cases (n) per number of working days (key). The report
    reads its figures from these counts (`domain.report.duration_figures`), never from a list of every case's
    value, so its cost follows the number of distinct values, not the number of cases."""
    counts: dict[int, int] = {}
    for row in rows:
        value = int(str(row["key"]))
        counts[value] = counts.get(value, 0) + int(row.get("n") or 0)
    return counts


def funnel_reached(rows: Iterable[Mapping[str, Any]], months_upto: str | None,
                   days_upto: tuple[str, str] | None) -> dict[str, int]:
    """Per stage, how many of the cohort's cases had reached it by the end of the period: the `funnel_m` rows
    whose stage month is a whole month up to `months_upto`, and the `funnel_d` rows whose stage day is in the
    last month's days up to the end (`days_upto`)."""
    reached = dict.fromkeys(STAGES, 0)
    for row in rows:
        day, stage = str(row["key"])[1:].split("|")
        if row["metric"] == FUNNEL_BY_MONTH:
            counted = months_upto is not None and day <= months_upto
        else:
            counted = days_upto is not None and days_upto[0] <= day <= days_upto[1]
        if counted:
            reached[stage] += int(row.get("n") or 0)
    return reached
