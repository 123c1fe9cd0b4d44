"""Signing up for trainings and forums (use_cases/registrations.py): seats, waiting list, replays, closed events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from koonto.intake.domain.errors import EventNotOpen
from koonto.shared.contracts.advisory import AttendanceRecorded
from tests.intake.unit.conftest import deliver, events_of, scheduled, sign_up, types


async def test_seats_go_first_then_the_waiting_list_each_with_its_event(intake, clock) -> None:
    event = scheduled(clock, capacity=2)
    await deliver(intake, event)
    answers = [await intake.registrations.register(sign_up(event.scheduled_event_id, f"o{n}@example.fi"))
               for n in range(3)]
    assert [a.registration["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]
    assert answers[2].registration["position_on_waitlist"] == 1 and not any(a.replayed for a in answers)
    events = await events_of(intake)
    assert types(events) == ["koonto.intake.registration-received.v1"] * 3
    assert [e.data["status"] for e in events] == ["confirmed", "confirmed", "waitlisted"]
    listed = await intake.views.upcoming_events()
    assert [e["seats_left"] for e in listed] == [0]


async def test_the_same_person_again_gets_the_earlier_registration_and_no_seat(intake, clock) -> None:
    event = scheduled(clock, capacity=5)
    await deliver(intake, event)
    first = await intake.registrations.register(sign_up(event.scheduled_event_id, "maija@example.fi"))
    again = await intake.registrations.register(sign_up(event.scheduled_event_id, "maija@example.fi"))
    assert again.replayed and again.registration["_id"] == first.registration["_id"]
    assert types(await events_of(intake)) == ["koonto.intake.registration-received.v1"]
    assert (await intake.views.open_event(event.scheduled_event_id))["seats_left"] == 4


async def test_unknown_past_and_held_events_take_no_sign_ups(intake, clock) -> None:
    with pytest.raises(EventNotOpen):
        await intake.registrations.register(sign_up("no-such-event", "a@example.fi"))
    past = scheduled(clock, starts_at=clock() - timedelta(hours=1))
    await deliver(intake, past)
    with pytest.raises(EventNotOpen):
        await intake.registrations.register(sign_up(past.scheduled_event_id, "a@example.fi"))
    held = scheduled(clock)
    await deliver(intake, held)
    await deliver(intake, AttendanceRecorded(scheduled_event_id=held.scheduled_event_id, kind="training",
                                             held_on=clock().date(), participants_total=3))
    with pytest.raises(EventNotOpen):
        await intake.registrations.register(sign_up(held.scheduled_event_id, "a@example.fi"))
    assert await events_of(intake) == []
    assert await intake.views.upcoming_events() == []
