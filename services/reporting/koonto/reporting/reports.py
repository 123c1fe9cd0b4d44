"""Assembling the report of one period (and municipality) from the active read models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from koonto.reporting.domain import report as rep
from koonto.reporting.domain.model import CHANNELS, EVENT_KIND_LABELS, GENDERS, SESSION_KIND_LABELS, STAGES
from koonto.reporting.store import ReadModels
from koonto.shared.region import Region

Summary = dict[str, Any]


def _get(groups: dict[str, dict[str, int]], key: str, value: str = "n") -> int:
    return groups.get(key, {}).get(value, 0)


async def build_summary(
    models: ReadModels, region: Region, first: date, last: date, municipality: str | None,
    generated_at: datetime | None = None,
) -> Summary:
    f, t = first.isoformat(), last.isoformat()
    q: dict[str, Any] = {"first_day": f, "last_day": t, "municipality": municipality}

    ideas_by_mun = await models.sum_by_key("ideas", group="municipality", **q)
    ideas_by_theme = await models.sum_by_key("ideas_theme", **q)
    stage_totals = await models.sum_by_key("stage", first_day=None, last_day=t, municipality=municipality)
    sessions = await models.sum_by_key("sessions", **q)
    advised = await models.distinct_keys("advised", **q)
    applications = await models.sum_by_key("applications", **q)
    decisions = await models.sum_by_key("decisions", **q)
    events = await models.sum_by_key("events_held", **q)
    notifications = await models.sum_by_key("notifications", first_day=f, last_day=t, municipality=None)
    cases = await models.case_facts(municipality)

    region_codes = region.municipality_codes
    active: set[str] = set()
    for metric in ("ideas", "sessions", "events_held"):
        active.update(await models.distinct_keys(metric, first_day=f, last_day=t, municipality=municipality,
                                                 group="municipality"))
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
        "funnel": rep.funnel(cases, first, last),
        "associations_advised": len(advised),
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
        "durations": rep.durations(cases, first, last),
    }


def municipality_names(region: Region) -> dict[str, str]:
    return {m.code: m.name_fi for m in region.municipalities}


def theme_names(region: Region, language: str = "fi") -> dict[str, str]:
    return {t.code: getattr(t, language) for t in region.themes}


def tables(summary: Summary, region: Region) -> list[rep.Table]:
    return rep.sections(summary, municipality_names(region), theme_names(region))


async def headline(models: ReadModels, municipality: str | None) -> dict[str, int]:
    """The showcase's headline figures over the whole history: associations helped, consultations, events
    held, projects funded."""
    q: dict[str, Any] = {"first_day": "0000-01-01", "last_day": "9999-12-31", "municipality": municipality}
    sessions = await models.sum_by_key("sessions", **q)
    events = await models.sum_by_key("events_held", **q)
    decisions = await models.sum_by_key("decisions", **q)
    return {
        "associations_helped": len(await models.distinct_keys("advised", **q)),
        "consultations": sum(v["n"] for v in sessions.values()),
        "events_held": sum(v["n"] for v in events.values()),
        "projects_funded": decisions.get("funded", {}).get("n", 0),
    }
