"""A seeded, varied stream of every event kind reporting consumes (and some it ignores), for replay tests and
the replay benchmark (`bench/replay_bench.py`).

Besides plain traffic it holds what makes a rebuild hard: the same event published twice (a redelivery under
a new message id), sessions and stage changes that reach the stream before their idea (parked until it comes),
cases whose idea never comes (stay parked), erasure requests, calls opened and closed, notifications.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import (
    AssociationMessaged,
    AttendanceRecorded,
    CallClosed,
    CallOpened,
    CaseAssigned,
    CaseOpened,
    CaseOrganisation,
    SessionLogged,
    StageChanged,
)
from koonto.shared.contracts.intake import Consents, Contact, ErasureRequested, IdeaSubmitted, Organisation
from koonto.shared.contracts.notify import NotificationFailed, NotificationSent
from tests.support.samples import envelope

MUNICIPALITIES = ("kuopio", "iisalmi", "varkaus", "siilinjarvi", "leppavirta", "tervo", "kaavi", "suonenjoki")
THEMES = ("village", "inclusion", "culture", "environment", "youth")
SESSION_KINDS = ("phone", "meeting", "video", "email", "workshop")
EVENT_KINDS = ("training", "forum", "talk", "workshop", "networking")
PATHS: tuple[tuple[str, ...], ...] = (
    (),
    ("sparring",),
    ("sparring", "withdrawn"),
    ("sparring", "preparing", "submitted", "declined"),
    ("sparring", "preparing", "submitted", "funded", "implementation", "closed"),
    ("sparring", "preparing", "submitted", "supplementing", "submitted", "funded"),
    ("sparring", "preparing", "submitted", "declined", "sparring", "preparing"),
)
CALL_IDS = ("call-a", "call-b", "call-c")
START = datetime(2026, 1, 2, 7, 0, tzinfo=UTC)


def _case(rng: random.Random, n: int, run: str) -> list[tuple[datetime, Envelope]]:
    idea_id, case_id = f"idea-{run}-{n}", f"case-{run}-{n}"
    municipality = rng.choice(MUNICIPALITIES)
    business_id = "1572860-0" if n % 5 == 0 else None
    org_name = f"Yhdistys {n % 997} ry"
    themes = tuple(rng.sample(THEMES, rng.randint(1, 2)))
    consent = rng.random() < 0.5
    idea_at = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 360))
    out: list[tuple[datetime, Envelope]] = []
    out.append((idea_at, envelope(IdeaSubmitted(
        idea_id=idea_id, reference=f"KOO-2026-{n:05d}", submitted_at=idea_at,
        organisation=Organisation(name=org_name, type="registered_association", business_id=business_id,
                                  municipality=municipality),
        contact=Contact(name=f"Henkilö {n}", email=f"henkilo-{run}-{n}@example.fi", phone="+358401234567"),
        title=f"Hanke {n}", description="Kuvaus. " * 20, themes=themes,
        consents=Consents(privacy_notice=True, publication=consent), status_url=f"http://127.0.0.1/tila/{idea_id}",
    ))))
    opened_at = idea_at + timedelta(minutes=rng.randint(1, 600))
    out.append((opened_at, envelope(CaseOpened(
        case_id=case_id, idea_id=idea_id, reference=f"KOO-2026-{n:05d}", opened_at=opened_at,
        idea_submitted_at=idea_at, title=f"Hanke {n}",
        organisation=CaseOrganisation(name=org_name, type="registered_association", business_id=business_id,
                                      municipality=municipality),
        themes=themes, publication_consent=consent,
    ))))
    out.append((opened_at, envelope(CaseAssigned(  # not consumed by reporting
        case_id=case_id, reference="KOO", advisor_id="adv-1", assigned_by="adv-1", assigned_at=opened_at,
    ))))
    at = opened_at
    for i in range(rng.randint(0, 3)):
        at = at + timedelta(hours=rng.randint(2, 24 * 20))
        out.append((at, envelope(SessionLogged(
            session_id=f"s-{run}-{n}-{i}", case_id=case_id, idea_id=idea_id, kind=rng.choice(SESSION_KINDS),
            started_at=at, duration_minutes=rng.randint(15, 180), advisor_id="adv-1",
        ))))
    if rng.random() < 0.4:
        sent = opened_at + timedelta(hours=rng.randint(1, 24 * 10))
        out.append((sent, envelope(AssociationMessaged(
            message_id=f"m-{run}-{n}", case_id=case_id, idea_id=idea_id, reference="KOO", advisor_id="adv-1",
            advisor_name="Neuvoja", body=f"Hei Henkilö {n}!", sent_at=sent,
        ))))
    stage = "idea"
    at = opened_at
    for to in rng.choice(PATHS):
        at = at + timedelta(hours=rng.randint(1, 24 * 30))
        call = rng.choice(CALL_IDS) if to in ("preparing", "submitted") else None
        applied = rng.randrange(5_000, 80_000, 500) if to in ("submitted", "funded", "declined") else None
        granted = (applied or 0) - 1000 if to == "funded" else None
        summary = f"Tulokset {n}" if to == "closed" else (f"Hanke {n} kylällä" if to == "funded" else None)
        out.append((at, envelope(StageChanged(
            case_id=case_id, idea_id=idea_id, reference="KOO", from_stage=stage, to_stage=to,  # type: ignore[arg-type]
            changed_by="adv-1", changed_at=at, call_id=call, amount_applied_eur=applied,
            amount_granted_eur=granted, public_summary=summary,
            reason="Syy, jossa voi olla nimiä." if to == "withdrawn" else None,
        ))))
        stage = to
    if rng.random() < 0.03:
        erased_at = at + timedelta(days=1)
        out.append((erased_at, envelope(ErasureRequested(
            request_id=f"er-{run}-{n}", requested_at=erased_at, email=f"henkilo-{run}-{n}@example.fi",
            idea_ids=(idea_id,),
        ))))
    return out


def stream(count: int, *, seed: int = 7, run: str = "syn") -> list[Envelope]:
    """About `count` events in publication order: mostly cases, plus events held, notifications and calls;
    ~2% published twice, ~3% of the events about a case moved ahead of its idea, a few orphans."""
    rng = random.Random(seed)
    timed: list[tuple[datetime, Envelope]] = []
    for i, call_id in enumerate(CALL_IDS):
        opens = date(2026, 1 + 4 * i, 10)
        timed.append((START, envelope(CallOpened(call_id=call_id, name=f"Haku {i + 1}", funder="Elinvoimakeskus",
                                                 opens_on=opens, closes_on=opens + timedelta(days=60)))))
        closed = datetime(2026, 3 + 4 * i, 12, 12, tzinfo=UTC)
        timed.append((closed, envelope(CallClosed(call_id=call_id, name=f"Haku {i + 1}", closed_on=closed.date()))))
    n = 0
    while len(timed) < count:
        timed += _case(rng, n, run)
        n += 1
        if rng.random() < 0.3:
            at = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 360))
            note: Any = (
                NotificationSent(notification_id=f"n-{run}-{n}", cause_event_id=f"c-{n}", cause_type="x",
                                 kind="idea-receipt", channel=rng.choice(("email", "sms")), sent_at=at)
                if rng.random() < 0.9 else
                NotificationFailed(notification_id=f"n-{run}-{n}", cause_event_id=f"c-{n}", cause_type="x",
                                   kind="idea-receipt", channel="email", failed_at=at, permanent=True, reason="550")
            )
            timed.append((at, envelope(note)))
        if rng.random() < 0.05:
            held = (START + timedelta(days=rng.randrange(0, 360))).date()
            women, men = rng.randint(0, 20), rng.randint(0, 20)
            timed.append((datetime(held.year, held.month, held.day, 16, tzinfo=UTC), envelope(AttendanceRecorded(
                scheduled_event_id=f"ev-{run}-{n}", kind=rng.choice(EVENT_KINDS), held_on=held,
                municipality=rng.choice((*MUNICIPALITIES, None)), participants_total=women + men + 1,
                women=women, men=men, not_told=1,
            ))))
        if rng.random() < 0.01:  # a case whose idea never reaches the stream: stays parked
            at = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 360))
            timed.append((at, envelope(SessionLogged(
                session_id=f"orphan-{run}-{n}", case_id=f"case-orphan-{run}-{n}", idea_id=f"idea-orphan-{run}-{n}",
                kind="phone", started_at=at, duration_minutes=30, advisor_id="adv-1",
            ))))
    # whatever the size, one of each rarer kind: an orphan, a region-wide event held, a failure, an erasure
    late = START + timedelta(days=200)
    timed.append((late, envelope(SessionLogged(
        session_id=f"orphan-{run}", case_id=f"case-orphan-{run}", idea_id=f"idea-orphan-{run}", kind="video",
        started_at=late, duration_minutes=45, advisor_id="adv-1",
    ))))
    timed.append((late, envelope(AttendanceRecorded(
        scheduled_event_id=f"ev-{run}-region", kind="forum", held_on=late.date(), participants_total=30, women=12,
        men=10, other=1, not_told=7,
    ))))
    timed.append((late, envelope(NotificationFailed(
        notification_id=f"n-{run}-failed", cause_event_id="c-failed", cause_type="x", kind="idea-receipt",
        channel="sms", failed_at=late, permanent=False, reason="timeout",
    ))))
    timed.append((late + timedelta(days=100), envelope(ErasureRequested(
        request_id=f"er-{run}-first", requested_at=late + timedelta(days=100), email="henkilo@example.fi",
        idea_ids=(f"idea-{run}-0", f"idea-{run}-1"),
    ))))
    timed.sort(key=lambda pair: pair[0])
    events = [env for _, env in timed]
    # some events about a case jump ahead of their idea (each event type has its own consumer upstream)
    for i in range(len(events) - 1, 0, -1):
        if events[i].type.endswith(("session-logged.v1", "stage-changed.v1")) and rng.random() < 0.03:
            j = max(0, i - rng.randint(1, 400))
            events.insert(j, events.pop(i))
    # redeliveries: the same event (same id) again a little later
    out: list[Envelope] = []
    for env in events:
        out.append(env)
        if rng.random() < 0.02:
            out.insert(max(0, len(out) - rng.randint(0, 50)), env)
    return out
