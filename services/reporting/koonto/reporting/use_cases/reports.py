"""Assembling the report of one period (and municipality) from the active read models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from koonto.reporting.domain import recount
from koonto.reporting.domain import report as rep
from koonto.reporting.domain.model import CHANNELS, EVENT_KIND_LABELS, GENDERS, SESSION_KIND_LABELS, STAGES
from koonto.reporting.domain.periods import cover
from koonto.reporting.store import VALUE_FIELDS, ReadModels
from koonto.shared.region import Region

Summary = dict[str, Any]


class Counters:
    """The counters of a report, summed in memory: those of the period, and those of everything up to its end
    (for the stage counters), as `ReadModels.report_rows` reads them (month roll-ups and edge days)."""

    def __init__(self, period: list[dict[str, Any]], upto: list[dict[str, Any]]) -> None:
        self.period = self._by_metric(period)
        self.upto = self._by_metric(upto)

    @staticmethod
    def _by_metric(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            out.setdefault(str(row.get("metric")), []).append(row)
        return out

    def _rows(self, metric: str, from_start: bool) -> list[dict[str, Any]]:
        return (self.upto if from_start else self.period).get(metric, [])

    def sum_by_key(self, metric: str, *, group: str = "key", from_start: bool = False) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in self._rows(metric, from_start):
            sums = out.setdefault(str(row.get(group, "")), dict.fromkeys(VALUE_FIELDS, 0))
            for name in VALUE_FIELDS:
                sums[name] += int(row.get(name) or 0)
        return dict(sorted(out.items()))

    def total(self, metric: str, *, from_start: bool = False) -> int:
        return sum(int(row.get("n") or 0) for row in self._rows(metric, from_start))

    def period_rows(self, metric: str) -> list[dict[str, Any]]:
        return self._rows(metric, False)

    def distinct_keys(self, metric: str, *, group: str = "key") -> list[str]:
        return sorted({str(row.get(group)) for row in self._rows(metric, False)})


def _get(groups: dict[str, dict[str, int]], key: str, value: str = "n") -> int:
    return groups.get(key, {}).get(value, 0)


async def build_summary(
    models: ReadModels, region: Region, first: date, last: date, municipality: str | None,
    generated_at: datetime | None = None,
) -> Summary:
    f, t = first.isoformat(), last.isoformat()
    # the per-organisation counters only where "associations advised" is not a sum of first-session counters
    counters = Counters(*await models.report_rows(
        first, last, municipality, advised=not (models.recounts and advised_from_counters(first, last))))

    ideas_by_mun = counters.sum_by_key("ideas", group="municipality")
    ideas_by_theme = counters.sum_by_key("ideas_theme")
    stage_totals = counters.sum_by_key("stage", from_start=True)
    sessions = counters.sum_by_key("sessions")
    applications = counters.sum_by_key("applications")
    decisions = counters.sum_by_key("decisions")
    events = counters.sum_by_key("events_held")
    notifications = counters.sum_by_key("notifications")  # region-wide; shown only when no municipality is asked
    funnel, durations, advised = await _case_figures(models, counters, first, last, municipality)

    region_codes = region.municipality_codes
    active: set[str] = set()
    for metric in ("ideas", "sessions", "events_held"):
        active.update(counters.distinct_keys(metric, group="municipality"))
    reached = sorted(code for code in active if code in region_codes)

    session_minutes = sum(v["minutes"] for v in sessions.values())
    by_kind = {k: {"sessions": _get(sessions, k), "hours": rep.hours(_get(sessions, k, "minutes"))}
               for k in SESSION_KIND_LABELS}
    funded, declined = decisions.get("funded", {}), decisions.get("declined", {})
    call_names = await models.call_names()
    notifications_available = municipality is None

    return {
        "region": region.code,
        "period": {"from": f, "to": t},
        "municipality": municipality,
        "generated_at": (generated_at.isoformat() if generated_at else None),
        "ideas": {
            "total": sum(v["n"] for v in ideas_by_mun.values()),
            "by_municipality": {k: v["n"] for k, v in ideas_by_mun.items() if v["n"]},
            "by_theme": {k: v["n"] for k, v in ideas_by_theme.items() if v["n"]},
        },
        "cases_by_stage": {st: _get(stage_totals, st) for st in STAGES},
        "funnel": funnel,
        "associations_advised": advised,
        "sessions": {"total": sum(v["n"] for v in sessions.values()), "minutes": session_minutes,
                     "hours": rep.hours(session_minutes), "by_kind": by_kind},
        "applications": {
            "total": sum(v["n"] for v in applications.values()),
            "eur_applied": sum(v["eur_applied"] for v in applications.values()),
            "by_call": rep.call_rows(applications, call_names),
        },
        "decisions": {
            "funded": {"decisions": funded.get("n", 0), "eur_applied": funded.get("eur_applied", 0),
                       "eur_granted": funded.get("eur_granted", 0)},
            "declined": {"decisions": declined.get("n", 0), "eur_applied": declined.get("eur_applied", 0),
                         "eur_granted": 0},
            "eur_applied": funded.get("eur_applied", 0) + declined.get("eur_applied", 0),
            "eur_granted": funded.get("eur_granted", 0),
        },
        "events": {
            "total": sum(v["n"] for v in events.values()),
            "participants": sum(v["participants"] for v in events.values()),
            "by_kind": {k: {"events": _get(events, k), "participants": _get(events, k, "participants")}
                        for k in EVENT_KIND_LABELS},
            "participants_by_gender": {g: sum(v[g] for v in events.values()) for g in GENDERS},
        },
        "municipalities_reached": {"count": len(reached), "of": len(region_codes), "codes": reached},
        "notifications": {
            "available": notifications_available,
            "by_channel": {
                ch: {"sent": _get(notifications, ch, "sent") if notifications_available else None,
                     "failed": _get(notifications, ch, "failed") if notifications_available else None}
                for ch in CHANNELS
            },
        },
        "durations": durations,
    }


def advised_from_counters(first: date, last: date) -> bool:
    """Whether "associations advised" of [first, last] is a sum of first-session counters: a period from 1 January
    to a day of the same year (the default period, a year, the year so far). Any other period counts distinct
    organisations in its months and days."""
    return (first.month, first.day) == (1, 1) and last.year == first.year


async def _case_figures(
    models: ReadModels, counters: Counters, first: date, last: date, municipality: str | None
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The funnel, the durations and the associations advised: from their counters (`domain.recount`), or, in a
    generation built before them, from every case document and organisation counter."""
    if not models.recounts:
        cases = await models.case_facts(municipality)
        return (rep.funnel(cases, first, last), rep.durations(cases, first, last),
                len(counters.distinct_keys("advised")))
    c = cover(first, last)
    reached = recount.funnel_reached(await models.funnel_rows(first, last, municipality), c.months_upto, c.days_upto)
    funnel = rep.funnel_figures(counters.total(recount.COHORT), reached)
    durations = rep.duration_figures(recount.histogram(counters.period_rows(recount.TO_CONTACT)),
                                     recount.histogram(counters.period_rows(recount.TO_SUBMITTED)))
    if advised_from_counters(first, last):
        advised = counters.total(recount.ADVISED_YEAR if municipality else recount.ADVISED_YEAR_ALL)
    else:
        advised = len(counters.distinct_keys("advised"))
    return funnel, durations, advised


def municipality_names(region: Region, language: str = "fi") -> dict[str, str]:
    """The region's municipality names in `language` (Swedish where the region file has one; else Finnish)."""
    return {m.code: (m.name_sv if language == "sv" else m.name_fi) for m in region.municipalities}


def theme_names(region: Region, language: str = "fi") -> dict[str, str]:
    return {t.code: getattr(t, language) for t in region.themes}


def tables(summary: Summary, region: Region, language: str = "fi") -> list[rep.Table]:
    """The report's tables with the region's names (municipalities, themes) in `language`: Finnish for the
    files, the reader's language for the dashboard (which translates the rest itself)."""
    return rep.sections(summary, municipality_names(region, language), theme_names(region, language))


async def headline(models: ReadModels, municipality: str | None) -> dict[str, int]:
    """The showcase's headline figures over the whole history: associations helped, consultations, events
    held, projects funded."""
    rows = await models.all_time_rows(municipality)
    counters = Counters(rows, rows)
    sessions = counters.sum_by_key("sessions")
    events = counters.sum_by_key("events_held")
    decisions = counters.sum_by_key("decisions")
    return {
        "associations_helped": (
            counters.total(recount.ADVISED_EVER if municipality else recount.ADVISED_EVER_ALL) if models.recounts
            else len(counters.distinct_keys("advised"))),
        "consultations": sum(v["n"] for v in sessions.values()),
        "events_held": sum(v["n"] for v in events.values()),
        "projects_funded": decisions.get("funded", {}).get("n", 0),
    }
