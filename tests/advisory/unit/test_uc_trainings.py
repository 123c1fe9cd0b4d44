"""use_cases/trainings.py: scheduling, registrations from intake (once), attendance by gender."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.errors import Invalid, NotFound, Refused
from koonto.shared.contracts.intake import Contact, RegistrationReceived
from tests.advisory.unit.conftest import COORDINATOR, events


async def schedule(deps: AdvisoryContainer) -> str:
    doc = await deps.trainings.schedule_event(
        COORDINATOR, title="Hankeklinikka", kind="training", starts_at=datetime(2027, 1, 20, 17, 0),
        ends_at=datetime(2027, 1, 20, 19, 0), place="Kirjasto", online_url=None, capacity=20,
        municipality="siilinjarvi", description="",
    )
    return str(doc["_id"])


async def test_scheduling_emits_event_scheduled_in_utc(deps: AdvisoryContainer) -> None:
    event_id = await schedule(deps)
    [scheduled] = await events(deps, "event-scheduled")
    assert scheduled.data["scheduled_event_id"] == event_id and scheduled.data["starts_at"].startswith("2027-01-20T15")
    with pytest.raises(Invalid) as where:
        await deps.trainings.schedule_event(
            COORDINATOR, title="X", kind="training", starts_at=datetime(2027, 1, 20, 17), ends_at=None, place=" ",
            online_url=None, capacity=5, municipality=None, description="",
        )
    assert where.value.field == "place"


async def test_registrations_are_kept_once_and_attendance_adds_up(deps: AdvisoryContainer) -> None:
    event_id = await schedule(deps)
    await events(deps)
    registration = RegistrationReceived(
        registration_id="reg-1", scheduled_event_id=event_id, status="confirmed",
        received_at=datetime(2027, 1, 2, tzinfo=UTC),
        participant=Contact(name="Maija", email="Maija@Example.fi", phone=None, language="fi", channel="email"),
    )
    assert await deps.trainings.record_registration(registration)
    assert not await deps.trainings.record_registration(registration)
    [kept] = await deps.views.registrations(event_id)
    assert kept["email"] == "maija@example.fi"
    with pytest.raises(Refused):  # the event (20.1.2027) has not begun on 4.12.2026
        await deps.trainings.record_attendance(COORDINATOR, event_id, participants_total=10, women=4, men=3, other=0,
                                               not_told=None, organisations=[])
    assert await events(deps, "attendance-recorded") == []
    deps.clock.set_day(date(2027, 1, 21))  # type: ignore[attr-defined]
    with pytest.raises(Invalid):
        await deps.trainings.record_attendance(COORDINATOR, event_id, participants_total=5, women=4, men=3, other=0,
                                               not_told=None, organisations=[])
    doc = await deps.trainings.record_attendance(
        COORDINATOR, event_id, participants_total=10, women=4, men=3, other=0, not_told=None,
        organisations=["Kyläyhdistys", " Kyläyhdistys ", ""],
    )
    assert doc["attendance"]["not_told"] == 3 and doc["attendance"]["organisations"] == ["Kyläyhdistys"]
    [recorded] = await events(deps, "attendance-recorded")
    assert recorded.data["held_on"] == "2027-01-20" and recorded.data["participants_total"] == 10
    with pytest.raises(NotFound):
        await deps.trainings.record_attendance(COORDINATOR, "event-nope", participants_total=0, women=0, men=0,
                                               other=0, not_told=None, organisations=[])
