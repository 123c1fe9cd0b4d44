"""use_cases/trainings.py: scheduling, registrations from intake (once), attendance by gender."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.attendance import derive
from koonto.advisory.domain.errors import Invalid, NotFound, NotYetKnown, Refused
from koonto.shared.contracts.intake import Contact, RegistrationCancelled, RegistrationPromoted, RegistrationReceived
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


def _registration(event_id: str, n: int, status: str = "confirmed") -> RegistrationReceived:
    return RegistrationReceived(
        registration_id=f"reg-{n}", scheduled_event_id=event_id, status=status,  # type: ignore[arg-type]
        received_at=datetime(2027, 1, 2, 10, n, tzinfo=UTC), position_on_waitlist=None if status == "confirmed" else n,
        participant=Contact(name=f"Osallistuja {n}", email=f"o{n}@example.fi"),
    )


async def test_staff_cancel_asks_intake_once_and_the_list_follows_what_intake_says(deps: AdvisoryContainer) -> None:
    event_id = await schedule(deps)
    for n, status in enumerate(["confirmed", "waitlisted", "waitlisted"]):
        await deps.trainings.record_registration(_registration(event_id, n, status))
    await events(deps)

    await deps.trainings.cancel_registration(COORDINATOR, event_id, "reg-0")
    [asked] = await events(deps, "registration-cancel-requested")
    assert (asked.data["registration_id"], asked.data["staff_id"]) == ("reg-0", COORDINATOR.staff_id)
    with pytest.raises(Refused):
        await deps.trainings.cancel_registration(COORDINATOR, event_id, "no-such")

    # intake's answer: reg-0 cancelled, reg-1 promoted; the queue moves up
    at = datetime(2027, 1, 3, tzinfo=UTC)
    await deps.trainings.record_registration_change(RegistrationCancelled(
        registration_id="reg-0", scheduled_event_id=event_id, cancelled_at=at, was="confirmed",
        cancelled_by="staff", staff_id=COORDINATOR.staff_id))
    await deps.trainings.record_registration_change(RegistrationPromoted(
        registration_id="reg-1", scheduled_event_id=event_id, promoted_at=at))
    listed = await deps.views.registrations(event_id)
    assert [(r["_id"], r["status"], r.get("position_on_waitlist")) for r in listed] == [
        ("reg-1", "confirmed", None), ("reg-2", "waitlisted", 1), ("reg-0", "cancelled", None)]
    # a promotion arriving after a cancellation does not bring it back; one before its registration is retried
    await deps.trainings.record_registration_change(RegistrationPromoted(
        registration_id="reg-0", scheduled_event_id=event_id, promoted_at=at))
    assert (await deps.store.registration("reg-0"))["status"] == "cancelled"
    with pytest.raises(NotYetKnown):
        await deps.trainings.record_registration_change(RegistrationPromoted(
            registration_id="reg-9", scheduled_event_id=event_id, promoted_at=at))
    await deps.trainings.cancel_registration(COORDINATOR, event_id, "reg-0")  # cancelled already: nothing asked
    assert await events(deps, "registration-cancel-requested") == []


async def test_capacity_can_only_be_raised_before_the_event_and_is_announced_as_an_update(
    deps: AdvisoryContainer,
) -> None:
    event_id = await schedule(deps)
    await events(deps)
    with pytest.raises(Invalid):
        await deps.trainings.raise_capacity(COORDINATOR, event_id, capacity=19)
    doc = await deps.trainings.raise_capacity(COORDINATOR, event_id, capacity=25)
    assert doc["capacity"] == 25
    [again] = await events(deps, "event-scheduled")
    assert again.data["capacity"] == 25 and again.data["updated"] is True
    assert again.data["scheduled_event_id"] == event_id and again.data["title"] == "Hankeklinikka"
    await deps.trainings.record_registration(_registration(event_id, 0))
    deps.clock.set_day(date(2027, 1, 21))  # type: ignore[attr-defined]
    with pytest.raises(Refused):
        await deps.trainings.raise_capacity(COORDINATOR, event_id, capacity=30)
    with pytest.raises(Refused) as started:
        await deps.trainings.cancel_registration(COORDINATOR, event_id, "reg-0")
    assert "alkanut" in started.value.message


def test_the_esf_figures_are_derived_from_those_ticked_in() -> None:
    registrations = [
        {"_id": "a", "gender": "woman", "organisation_name": "Kylä ry", "municipality": "kuopio"},
        {"_id": "b", "gender": "man", "organisation_name": " Kylä ry ", "municipality": "kuopio"},
        {"_id": "c", "gender": None, "organisation_name": None, "municipality": "iisalmi"},
        {"_id": "d", "gender": "other", "organisation_name": "Nuoret", "municipality": "varkaus"},
    ]
    figures = derive(registrations, {"a", "b", "c", "stale-id"})
    assert figures.counts() == {"participants_total": 3, "women": 1, "men": 1, "other": 0, "not_told": 1}
    assert figures.organisations == ["Kylä ry"] and figures.municipalities == ["iisalmi", "kuopio"]
    assert derive(registrations, set()).counts()["participants_total"] == 0


async def test_the_check_in_list_records_who_came_and_the_figures_from_it(deps: AdvisoryContainer) -> None:
    event_id = await schedule(deps)  # 20.1.2027
    people = [("woman", "Kylä ry"), ("man", "Kylä ry"), (None, "Nuoret"), ("woman", None)]
    for n, (gender, organisation) in enumerate(people):
        data = _registration(event_id, n).model_copy(update={"gender": gender, "organisation_name": organisation,
                                                              "municipality": "kuopio" if n < 2 else "iisalmi"})
        await deps.trainings.record_registration(data)
    await deps.trainings.record_registration_change(RegistrationCancelled(
        registration_id="reg-3", scheduled_event_id=event_id, cancelled_at=datetime(2027, 1, 3, tzinfo=UTC),
        was="confirmed", cancelled_by="registrant"))
    await events(deps)
    with pytest.raises(Refused):  # not yet the event's day (4.12.2026)
        await deps.trainings.record_check_in(COORDINATOR, event_id, present=["reg-0"])
    deps.clock.set_day(date(2027, 1, 20))  # type: ignore[attr-defined]
    doc = await deps.trainings.record_check_in(COORDINATOR, event_id, present=["reg-0", "reg-2", "reg-3"])
    [recorded] = await events(deps, "attendance-recorded")
    assert (recorded.data["participants_total"], recorded.data["checked_in"], recorded.data["women"],
            recorded.data["not_told"]) == (2, 2, 1, 1)  # the cancelled one ticked by mistake does not count
    assert recorded.data["organisations"] == ["Kylä ry", "Nuoret"]
    assert doc["attendance"]["municipalities"] == ["iisalmi", "kuopio"]
    listed = {r["_id"]: r.get("checked_in") for r in await deps.views.registrations(event_id)}
    assert listed == {"reg-0": True, "reg-1": False, "reg-2": True, "reg-3": None}
    # the count-only form still works (once the event has begun), and says nothing was checked in
    deps.clock.set_day(date(2027, 1, 21))  # type: ignore[attr-defined]
    await deps.trainings.record_attendance(COORDINATOR, event_id, participants_total=5, women=2, men=2, other=0,
                                           not_told=None, organisations=[])
    [counted] = await events(deps, "attendance-recorded")
    assert counted.data["checked_in"] is None and counted.data["not_told"] == 1


async def test_dietary_and_accessibility_needs_are_kept_for_staff_and_erased_with_the_person(
    deps: AdvisoryContainer,
) -> None:
    event_id = await schedule(deps)
    data = _registration(event_id, 1).model_copy(update={
        "dietary_needs": "gluteeniton", "accessibility_needs": "induktiosilmukka", "gender": "woman",
        "on_participant_list": True})
    await deps.trainings.record_registration(data)
    [kept] = await deps.views.registrations(event_id)
    assert (kept["dietary_needs"], kept["accessibility_needs"], kept["on_participant_list"]) == (
        "gluteeniton", "induktiosilmukka", True)
    await deps.store.erase_registrations("o1@example.fi")
    [erased] = await deps.views.registrations(event_id)
    assert erased["dietary_needs"] is None and erased["accessibility_needs"] is None and erased["gender"] is None
    assert erased["on_participant_list"] is False and erased["name"] is None


async def test_a_registration_read_after_its_keys_were_shredded_is_kept_as_erased(deps: AdvisoryContainer) -> None:
    event_id = await schedule(deps)
    shredded = _registration(event_id, 5).model_copy(update={
        "participant": Contact(name="enc:erased", email="enc:erased"), "dietary_needs": "enc:erased"})
    await deps.trainings.record_registration(shredded)
    [kept] = await deps.views.registrations(event_id)
    assert kept["erased"] is True and kept["name"] is None and kept["dietary_needs"] is None
