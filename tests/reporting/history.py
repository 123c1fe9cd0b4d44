"""A scripted year of Koonto events, and the numbers a funder should get from it, computed here by hand.

Nothing in this module imports koonto.reporting: the expected figures are derived from the scenario tables
below with plain Python, so a mistake in the service cannot hide in the test.
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from math import ceil
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import (
    AssociationMessaged,
    AttendanceRecorded,
    CallOpened,
    CaseOpened,
    CaseOrganisation,
    SessionLogged,
    StageChanged,
)
from koonto.shared.contracts.intake import Consents, Contact, IdeaSubmitted, Organisation
from koonto.shared.contracts.notify import NotificationFailed, NotificationSent
from tests.support.samples import envelope

HEL = ZoneInfo("Europe/Helsinki")
ADVISOR = "staff-advisor-1"


def hel(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Helsinki wall-clock time as an aware UTC datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=HEL).astimezone(UTC)


@dataclass
class Step:
    at: datetime
    to: str
    call: str | None = None
    applied: int | None = None
    granted: int | None = None
    summary: str | None = None


@dataclass
class Scenario:
    key: str
    municipality: str
    org_name: str
    business_id: str | None
    themes: tuple[str, ...]
    consent: bool
    idea_at: datetime
    contact_name: str
    contact_email: str
    contact_phone: str
    title: str
    sessions: list[tuple[datetime, str, int]] = field(default_factory=list)  # (start, kind, minutes)
    messages: list[datetime] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def idea_id(self) -> str:
        return f"idea-{self.key}"

    @property
    def case_id(self) -> str:
        return f"case-{self.key}"


CALLS = {"call-spring": "Kevään 2026 haku", "call-autumn": "Syksyn 2026 haku"}

CASES: list[Scenario] = [
    Scenario(
        "a", "kuopio", "Toivalan kyläyhdistys ry", "1572860-0", ("village", "inclusion"), True, hel(2026, 1, 5),
        "Maija Meikäläinen", "maija.meikalainen@example.fi", "+358401112233", "Kylätalon kohtaamispaikka",
        sessions=[(hel(2026, 1, 8), "meeting", 90), (hel(2026, 1, 15), "phone", 30), (hel(2026, 2, 3), "video", 60)],
        messages=[hel(2026, 1, 7, 9)],  # Tue 6.1. is Epiphany: Mon 5.1. -> Wed 7.1. is ONE working day
        steps=[
            Step(hel(2026, 1, 9), "sparring"),
            Step(hel(2026, 1, 20), "preparing", call="call-spring"),
            Step(hel(2026, 2, 10), "submitted", call="call-spring", applied=30000),
            Step(hel(2026, 3, 1), "supplementing", call="call-spring"),
            Step(hel(2026, 3, 5), "submitted", call="call-spring", applied=30000),  # same application again
            Step(hel(2026, 4, 2), "funded", call="call-spring", applied=30000, granted=25000,
                 summary="Kylätalosta tehdään kaikenikäisten kohtaamispaikka."),
            Step(hel(2026, 4, 15), "implementation"),
            Step(hel(2026, 11, 20), "closed", summary="Kylätalolla kävi vuoden aikana 1 200 kävijää."),
        ],
    ),
    Scenario(
        "b", "iisalmi", "Iisalmen Nuorisoseura ry", None, ("youth",), False, hel(2026, 1, 12),
        "Pekka Puupää", "pekka.puupaa@example.fi", "+358402223344", "Nuorten iltapäivät",
        sessions=[(hel(2026, 1, 14), "phone", 45)],
        steps=[
            Step(hel(2026, 1, 14, 11), "sparring"),
            Step(hel(2026, 2, 2), "preparing", call="call-spring"),
            Step(hel(2026, 3, 2), "submitted", call="call-spring", applied=20000),
            Step(hel(2026, 4, 10), "funded", call="call-spring", applied=20000, granted=18000,
                 summary="Nuorille ohjattua iltapäivätoimintaa."),
            Step(hel(2026, 4, 20), "implementation"),
        ],
    ),
    Scenario(
        "c", "kuopio", "Kuopion Liikuntaseura ry", "0737546-2", ("sport",), True, hel(2026, 2, 2),
        "Liisa Liikkuja", "liisa@example.org", "+358403334455", "Liikuntaa kaikille",
        sessions=[(hel(2026, 2, 4), "email", 20)],
        steps=[
            Step(hel(2026, 2, 4, 12), "sparring"),
            Step(hel(2026, 2, 10), "preparing", call="call-spring"),
            Step(hel(2026, 3, 12), "submitted", call="call-spring", applied=15000),
            Step(hel(2026, 4, 15), "declined", call="call-spring", applied=15000),
            Step(hel(2026, 4, 20), "sparring"),
            Step(hel(2026, 9, 1), "preparing", call="call-autumn"),
            Step(hel(2026, 10, 1), "submitted", call="call-autumn", applied=12000),
        ],
    ),
    Scenario(
        # submitted 31.3. 22.30 UTC = 1.4. 01.30 in Helsinki: an April idea
        "d", "varkaus", "Varkauden Eläkkeensaajat ry", "0198765-4", ("elderly", "wellbeing"), True,
        datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
        "Eino Eläkeläinen", "eino@example.net", "+358404445566", "Seniorien liikuntaryhmät",
        sessions=[(hel(2026, 4, 3), "workshop", 120)],  # Good Friday: a session still counts
        steps=[Step(hel(2026, 4, 6), "sparring"), Step(hel(2026, 6, 1), "withdrawn")],
    ),
    Scenario(
        # the same association as "a" (same business id): advised twice, counted once
        "e", "kuopio", "Toivalan Kyläyhdistys RY", "1572860-0", ("culture",), False, hel(2026, 9, 10),
        "Maija Meikäläinen", "maija.meikalainen@example.fi", "+358401112233", "Kyläteatteri",
        sessions=[(hel(2026, 9, 11), "video", 30)],
        steps=[Step(hel(2026, 9, 11, 12), "sparring")],
    ),
    Scenario(
        "f", "siilinjarvi", "Vuorelan lukupiiri", None, ("culture",), True, hel(2026, 5, 15),
        "Ville Vuorela", "ville.v@example.com", "+358405556677", "Lukupiiri kirjastossa",
    ),
    Scenario(
        "g", "tuusniemi", "Tuusniemen 4H-yhdistys ry", "1122334-5", ("youth", "environment"), True, hel(2026, 2, 1),
        "Tuula Tuusniemi", "tuula@example.fi", "+358406667788", "Nuorten kesätapahtuma",
        sessions=[(hel(2026, 2, 2), "meeting", 60), (hel(2026, 2, 20), "meeting", 45)],
        steps=[
            Step(hel(2026, 2, 2, 12), "sparring"),
            Step(hel(2026, 2, 3), "preparing", call="call-spring"),
            Step(hel(2026, 3, 4), "submitted", call="call-spring", applied=10000),
            Step(hel(2026, 4, 20), "funded", call="call-spring", applied=10000, granted=10000,
                 summary="Nuoret järjestävät kesätapahtuman Tuusniemellä."),
            Step(hel(2026, 5, 1), "implementation"),
            Step(hel(2026, 10, 30), "closed", summary="Tapahtumaan osallistui 300 nuorta."),
        ],
    ),
]

# (held_on, kind, municipality or None for the whole region, total, women, men, other, not_told)
EVENTS_HELD: list[tuple[date, str, str | None, int, int, int, int, int]] = [
    (date(2026, 1, 20), "training", "kuopio", 25, 15, 8, 1, 1),
    (date(2026, 3, 5), "forum", None, 40, 20, 15, 2, 3),
    (date(2026, 4, 10), "talk", "iisalmi", 12, 6, 6, 0, 0),
    (date(2026, 9, 15), "workshop", "varkaus", 18, 10, 7, 0, 1),
]

# (at, channel, outcome)
NOTIFICATIONS: list[tuple[datetime, str, str]] = [
    (hel(2026, 1, 5, 10, 1), "email", "sent"),
    (hel(2026, 1, 5, 10, 2), "email", "sent"),
    (hel(2026, 1, 12), "sms", "sent"),
    (hel(2026, 1, 12, 11), "email", "failed"),
    (hel(2026, 4, 2), "email", "sent"),
    (hel(2026, 9, 10), "sms", "failed"),
]


def _case_events(c: Scenario) -> list[tuple[datetime, Envelope]]:
    org = Organisation(name=c.org_name, type="registered_association", business_id=c.business_id,
                       municipality=c.municipality)
    out: list[tuple[datetime, Envelope]] = []
    idea = IdeaSubmitted(
        idea_id=c.idea_id, reference=f"KOO-2026-{c.key.upper()}", submitted_at=c.idea_at, organisation=org,
        contact=Contact(name=c.contact_name, email=c.contact_email, phone=c.contact_phone),
        title=c.title, description=f"{c.title}. Yhteyshenkilö {c.contact_name}, {c.contact_email}.",
        themes=c.themes, consents=Consents(privacy_notice=True, publication=c.consent),
        status_url=f"http://127.0.0.1:8001/tila/{c.idea_id}?t=x",
    )
    out.append((c.idea_at, envelope(idea)))
    opened_at = c.idea_at + timedelta(minutes=5)
    out.append((opened_at, envelope(CaseOpened(
        case_id=c.case_id, idea_id=c.idea_id, reference=f"KOO-2026-{c.key.upper()}", opened_at=opened_at,
        idea_submitted_at=c.idea_at, title=c.title,
        organisation=CaseOrganisation(name=c.org_name, type="registered_association", business_id=c.business_id,
                                      municipality=c.municipality),
        themes=c.themes, publication_consent=c.consent,
    ))))
    for i, (start, kind, minutes) in enumerate(c.sessions):
        out.append((start, envelope(SessionLogged(
            session_id=f"s-{c.key}-{i}", case_id=c.case_id, idea_id=c.idea_id, kind=kind,  # type: ignore[arg-type]
            started_at=start, duration_minutes=minutes, topics=("budjetti",), advisor_id=ADVISOR,
        ))))
    for i, at in enumerate(c.messages):
        out.append((at, envelope(AssociationMessaged(
            message_id=f"m-{c.key}-{i}", case_id=c.case_id, idea_id=c.idea_id, reference="KOO", advisor_id=ADVISOR,
            advisor_name="Neuvoja Nieminen", body=f"Hei {c.contact_name}, soitan huomenna numeroon {c.contact_phone}.",
            sent_at=at,
        ))))
    stage = "idea"
    for step in c.steps:
        out.append((step.at, envelope(StageChanged(
            case_id=c.case_id, idea_id=c.idea_id, reference="KOO", from_stage=stage, to_stage=step.to,  # type: ignore[arg-type]
            changed_by=ADVISOR, changed_at=step.at, call_id=step.call, amount_applied_eur=step.applied,
            amount_granted_eur=step.granted, public_summary=step.summary,
            reason="Yhdistys päätti keskittyä muuhun." if step.to == "withdrawn" else None,
        ))))
        stage = step.to
    return out


def history() -> list[Envelope]:
    """Every event in the order the services would have published them."""
    timed: list[tuple[datetime, Envelope]] = []
    timed.append((hel(2026, 1, 2), envelope(CallOpened(
        call_id="call-spring", name=CALLS["call-spring"], funder="Itä-Suomen elinvoimakeskus",
        opens_on=date(2026, 1, 15), closes_on=date(2026, 3, 15), budget_eur=500000))))
    timed.append((hel(2026, 6, 1), envelope(CallOpened(
        call_id="call-autumn", name=CALLS["call-autumn"], funder="Itä-Suomen elinvoimakeskus",
        opens_on=date(2026, 8, 15), closes_on=date(2026, 10, 15)))))
    for c in CASES:
        timed += _case_events(c)
    for i, (held_on, kind, municipality, total, women, men, other, not_told) in enumerate(EVENTS_HELD):
        timed.append((datetime(held_on.year, held_on.month, held_on.day, 18, tzinfo=HEL), envelope(AttendanceRecorded(
            scheduled_event_id=f"ev-{i}", kind=kind, held_on=held_on, municipality=municipality,  # type: ignore[arg-type]
            participants_total=total, women=women, men=men, other=other, not_told=not_told,
            organisations=("Toivalan kyläyhdistys ry",),
        ))))
    for i, (at, channel, outcome) in enumerate(NOTIFICATIONS):
        if outcome == "sent":
            data: Any = NotificationSent(notification_id=f"n-{i}", cause_event_id=str(uuid.uuid4()),
                                         cause_type="koonto.intake.idea-submitted.v1", kind="idea-receipt",
                                         channel=channel, sent_at=at)  # type: ignore[arg-type]
        else:
            data = NotificationFailed(notification_id=f"n-{i}", cause_event_id=str(uuid.uuid4()),
                                      cause_type="koonto.intake.idea-submitted.v1", kind="idea-receipt",
                                      channel=channel, failed_at=at, permanent=True,  # type: ignore[arg-type]
                                      reason="550 mailbox unavailable")
        timed.append((at, envelope(data)))
    timed.sort(key=lambda pair: pair[0])
    return [env for _, env in timed]


PERSONAL_STRINGS = sorted({s for c in CASES for s in (c.contact_name, c.contact_email, c.contact_phone)})


# -- the expected figures, by hand ----------------------------------------------------------------------------
def hday(value: datetime) -> date:
    return value.astimezone(HEL).date()


def working_days(start: date, end: date) -> int:
    fi = holidays.Finland(years=range(start.year, end.year + 1))
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in fi:
            days += 1
    return days


def stats(values: list[int]) -> dict[str, Any]:
    ordered = sorted(values)
    return {
        "cases": len(values),
        "median": float(statistics.median(ordered)) if ordered else None,
        "p90": ordered[ceil(0.9 * len(ordered)) - 1] if ordered else None,
    }


ALL_STAGES = ["idea", "sparring", "preparing", "submitted", "supplementing", "funded", "declined",
              "implementation", "closed", "withdrawn"]


def expected(first: date, last: date, municipality: str | None) -> dict[str, Any]:
    def inside(d: date) -> bool:
        return first <= d <= last

    cases = [c for c in CASES if municipality is None or c.municipality == municipality]
    ideas = [c for c in cases if inside(hday(c.idea_at))]
    by_theme: dict[str, int] = {}
    for c in ideas:
        for theme in c.themes:
            by_theme[theme] = by_theme.get(theme, 0) + 1
    by_municipality: dict[str, int] = {}
    for c in ideas:
        by_municipality[c.municipality] = by_municipality.get(c.municipality, 0) + 1

    # stage of each case at the end of the period
    at_end = dict.fromkeys(ALL_STAGES, 0)
    for c in cases:
        if hday(c.idea_at + timedelta(minutes=5)) > last:
            continue
        stage = "idea"
        for step in c.steps:
            if hday(step.at) <= last:
                stage = step.to
        at_end[stage] += 1

    reached = dict.fromkeys(ALL_STAGES, 0)
    for c in ideas:
        seen = {"idea"} | {s.to for s in c.steps if hday(s.at) <= last}
        for stage in seen:
            reached[stage] += 1

    sessions = [(c, s) for c in cases for s in c.sessions if inside(hday(s[0]))]
    by_kind = {k: {"sessions": 0, "minutes": 0} for k in ("phone", "meeting", "video", "email", "workshop")}
    for _, (_, kind, minutes) in sessions:
        by_kind[kind]["sessions"] += 1
        by_kind[kind]["minutes"] += minutes
    advised = {c.business_id or c.org_name.lower() for c, _ in sessions}

    applications: dict[str, dict[str, int]] = {}
    decisions = {"funded": [0, 0, 0], "declined": [0, 0, 0]}
    for c in cases:
        before = "idea"
        for step in c.steps:
            if inside(hday(step.at)):
                if step.to == "submitted" and before != "supplementing":
                    row = applications.setdefault(CALLS[step.call or ""], {"applications": 0, "eur_applied": 0})
                    row["applications"] += 1
                    row["eur_applied"] += step.applied or 0
                if step.to in decisions:
                    decisions[step.to][0] += 1
                    decisions[step.to][1] += step.applied or 0
                    decisions[step.to][2] += step.granted or 0
            before = step.to

    held = [e for e in EVENTS_HELD if inside(e[0]) and (municipality is None or e[2] == municipality)]
    kinds = ("training", "forum", "talk", "workshop", "networking")
    events_by_kind = {k: {"events": 0, "participants": 0} for k in kinds}
    for e in held:
        events_by_kind[e[1]]["events"] += 1
        events_by_kind[e[1]]["participants"] += e[3]

    active = {c.municipality for c in ideas} | {c.municipality for c, _ in sessions} | {e[2] for e in held if e[2]}

    notifications: dict[str, dict[str, int | None]] = {}
    for channel in ("email", "sms"):
        notifications[channel] = {
            outcome: (sum(1 for at, ch, o in NOTIFICATIONS if ch == channel and o == outcome and inside(hday(at)))
                      if municipality is None else None)
            for outcome in ("sent", "failed")
        }

    to_contact: list[int] = []
    to_submitted: list[int] = []
    for c in cases:
        contacts = [s[0] for s in c.sessions] + c.messages + [s.at for s in c.steps if s.to == "sparring"]
        if contacts:
            first_contact = hday(min(contacts))
            if inside(first_contact):
                to_contact.append(working_days(hday(c.idea_at), first_contact))
        submissions = [s.at for s in c.steps if s.to == "submitted"]
        if submissions and inside(hday(min(submissions))):
            to_submitted.append(working_days(hday(c.idea_at), hday(min(submissions))))

    minutes = sum(v["minutes"] for v in by_kind.values())
    return {
        "ideas_total": len(ideas),
        "ideas_by_theme": by_theme,
        "ideas_by_municipality": by_municipality,
        "cases_by_stage": at_end,
        "funnel_cohort": len(ideas),
        "funnel_reached": reached,
        "associations_advised": len(advised),
        "sessions_total": len(sessions),
        "sessions_hours": round(minutes / 60, 1),
        "sessions_by_kind": {k: {"sessions": v["sessions"], "hours": round(v["minutes"] / 60, 1)}
                             for k, v in by_kind.items()},
        "applications_total": sum(v["applications"] for v in applications.values()),
        "applications_by_call": applications,
        "funded": decisions["funded"][0],
        "declined": decisions["declined"][0],
        "eur_applied": decisions["funded"][1] + decisions["declined"][1],
        "eur_granted": decisions["funded"][2],
        "events_total": len(held),
        "participants": sum(e[3] for e in held),
        "events_by_kind": events_by_kind,
        "gender": {"women": sum(e[4] for e in held), "men": sum(e[5] for e in held),
                   "other": sum(e[6] for e in held), "not_told": sum(e[7] for e in held)},
        "municipalities_reached": sorted(active),
        "notifications": notifications,
        "idea_to_first_contact": stats(to_contact),
        "idea_to_submitted": stats(to_submitted),
    }


def actual(summary: dict[str, Any]) -> dict[str, Any]:
    """The same shape, read from the service's JSON report."""
    s = summary
    return {
        "ideas_total": s["ideas"]["total"],
        "ideas_by_theme": s["ideas"]["by_theme"],
        "ideas_by_municipality": s["ideas"]["by_municipality"],
        "cases_by_stage": s["cases_by_stage"],
        "funnel_cohort": s["funnel"]["cohort"],
        "funnel_reached": s["funnel"]["reached"],
        "associations_advised": s["associations_advised"],
        "sessions_total": s["sessions"]["total"],
        "sessions_hours": s["sessions"]["hours"],
        "sessions_by_kind": s["sessions"]["by_kind"],
        "applications_total": s["applications"]["total"],
        "applications_by_call": {row["name"]: {"applications": row["applications"], "eur_applied": row["eur_applied"]}
                                 for row in s["applications"]["by_call"]},
        "funded": s["decisions"]["funded"]["decisions"],
        "declined": s["decisions"]["declined"]["decisions"],
        "eur_applied": s["decisions"]["eur_applied"],
        "eur_granted": s["decisions"]["eur_granted"],
        "events_total": s["events"]["total"],
        "participants": s["events"]["participants"],
        "events_by_kind": s["events"]["by_kind"],
        "gender": s["events"]["participants_by_gender"],
        "municipalities_reached": s["municipalities_reached"]["codes"],
        "notifications": s["notifications"]["by_channel"],
        "idea_to_first_contact": s["durations"]["idea_to_first_contact"],
        "idea_to_submitted": s["durations"]["idea_to_submitted"],
    }


PERIODS: list[tuple[date, date, str | None]] = [
    (date(2026, 1, 1), date(2026, 3, 31), None),       # Q1, whole region
    (date(2026, 4, 1), date(2026, 6, 30), None),       # Q2, whole region
    (date(2026, 1, 1), date(2026, 12, 31), None),      # the year
    (date(2026, 1, 1), date(2026, 12, 31), "kuopio"),  # the year in Kuopio
    (date(2026, 1, 1), date(2026, 3, 31), "iisalmi"),  # Q1 in Iisalmi
    (date(2026, 4, 1), date(2026, 4, 1), "varkaus"),   # one day: the idea sent at 01.30 Helsinki time
    (date(2026, 3, 31), date(2026, 3, 31), None),      # ...which is not a March idea
]
