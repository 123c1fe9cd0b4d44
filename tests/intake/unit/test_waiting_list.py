"""Cancelling a registration and the waiting list moving (use_cases/registrations.py, domain/registrations.py)."""

from __future__ import annotations

from datetime import timedelta

from koonto.intake.domain.registrations import standing, to_promote, validate_registration, waitlist_position
from tests.intake.unit.conftest import deliver, events_of, scheduled, sign_up, types

CANCELLED = "koonto.intake.registration-cancelled.v1"
PROMOTED = "koonto.intake.registration-promoted.v1"
RECEIVED = "koonto.intake.registration-received.v1"


def test_the_seats_are_the_first_ones_not_cancelled_in_the_order_they_came() -> None:
    assert standing(0, 2).status == "confirmed" and standing(1, 2).position_on_waitlist is None
    assert (standing(2, 2).status, standing(2, 2).position_on_waitlist) == ("waitlisted", 1)
    assert standing(4, 2).position_on_waitlist == 3
    line = [("a", "confirmed"), ("b", "waitlisted"), ("c", "waitlisted"), ("d", "waitlisted")]
    assert to_promote(line, 2) == ["b"]  # a seat freed (someone ahead of b left the line)
    assert to_promote(line, 4) == ["b", "c", "d"]  # capacity raised
    assert to_promote(line, 1) == []
    # more confirmed than seats (capacity lowered): nobody is promoted past them
    assert to_promote([("a", "confirmed"), ("b", "confirmed"), ("c", "waitlisted")], 1) == []
    assert waitlist_position(line, "c") == 2 and waitlist_position(line, "a") is None


async def _full_event(intake, clock, capacity: int, people: int) -> tuple[str, list[dict]]:
    event = scheduled(clock, capacity=capacity)
    await deliver(intake, event)
    answers = [(await intake.registrations.register(sign_up(event.scheduled_event_id, f"w{n}@example.fi")))
               .registration for n in range(people)]
    await events_of(intake)
    return event.scheduled_event_id, answers


async def test_a_cancelled_seat_goes_to_the_first_waiting_once_with_its_link(intake, clock) -> None:
    event_id, regs = await _full_event(intake, clock, capacity=2, people=4)
    assert [r["status"] for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

    assert await intake.registrations.cancel(regs[0]["registration_id"]) == "cancelled"

    events = await events_of(intake)
    assert types(events) == [CANCELLED, PROMOTED]
    assert events[0].data["was"] == "confirmed" and events[0].data["cancelled_by"] == "registrant"
    assert events[1].data["registration_id"] == regs[2]["registration_id"]
    assert events[1].data["cancel_url"].startswith("http://intake.test/registrations/cancel/")
    # the second in line is now first, and a second click or a second run changes nothing
    assert (await intake.registrations.cancellable(regs[3]["registration_id"])).position == 1
    assert await intake.registrations.cancel(regs[0]["registration_id"]) == "already"
    assert await intake.registrations.fill_seats(event_id) == []
    assert await events_of(intake) == []
    assert (await intake.views.open_event(event_id))["seats_left"] == 0


async def test_a_waiting_one_who_cancels_frees_a_place_in_the_line_but_no_seat(intake, clock) -> None:
    _event_id, regs = await _full_event(intake, clock, capacity=1, people=3)
    assert await intake.registrations.cancel(regs[1]["registration_id"], staff_id="staff-1") == "cancelled"
    events = await events_of(intake)
    assert types(events) == [CANCELLED]
    assert (events[0].data["was"], events[0].data["cancelled_by"], events[0].data["staff_id"]) == (
        "waitlisted", "staff", "staff-1")
    assert (await intake.registrations.cancellable(regs[2]["registration_id"])).position == 1


async def test_more_seats_go_to_the_waiting_in_their_order_and_new_sign_ups_queue_behind(intake, clock) -> None:
    event = scheduled(clock, capacity=1)
    await deliver(intake, event)
    for n in range(3):
        await intake.registrations.register(sign_up(event.scheduled_event_id, f"c{n}@example.fi"))
    await events_of(intake)
    await deliver(intake, event.model_copy(update={"capacity": 3}))  # staff raised the capacity

    events = await events_of(intake)
    assert types(events) == [PROMOTED, PROMOTED]
    later = (await intake.registrations.register(sign_up(event.scheduled_event_id, "d@example.fi"))).registration
    assert (later["status"], later["position_on_waitlist"]) == ("waitlisted", 1)


async def test_a_cancelled_person_can_sign_up_again_at_the_end_of_the_line(intake, clock) -> None:
    event_id, regs = await _full_event(intake, clock, capacity=1, people=2)
    await intake.registrations.cancel(regs[0]["registration_id"])
    again = await intake.registrations.register(sign_up(event_id, "w0@example.fi"))
    assert not again.replayed and again.registration["status"] == "waitlisted"
    assert types(await events_of(intake)) == [CANCELLED, PROMOTED, RECEIVED]


async def test_nothing_is_cancelled_or_promoted_once_the_event_has_started(intake, clock) -> None:
    event_id, regs = await _full_event(intake, clock, capacity=1, people=2)
    clock.advance(days=30)
    assert await intake.registrations.cancel(regs[0]["registration_id"]) == "started"
    assert await intake.registrations.fill_seats(event_id) == []
    assert await events_of(intake) == []
    clock.advance(days=-30)
    assert await intake.registrations.cancel("no-such-registration") == "gone"


async def test_the_cancel_link_is_signed_and_names_one_registration(intake, clock) -> None:
    _event_id, regs = await _full_event(intake, clock, capacity=1, people=1)
    url = intake.links.cancel_url(regs[0]["registration_id"])
    token = url.rsplit("/", 1)[1]
    assert intake.links.cancel.check(token).value == regs[0]["registration_id"]
    assert intake.links.cancel.check(token[:-2] + "xx").verdict == "invalid"
    assert intake.links.status.check(token).verdict == "invalid"  # a cancel token is no other kind of link
    assert timedelta(days=intake.settings.cancel_link_max_age_days) > timedelta(days=300)


def _body(event_id: str, **extra: object) -> dict:
    return {"scheduled_event_id": event_id, "participant": {"name": "Osallistuja", "email": "n@example.fi"},
            "municipality": "kuopio", "consents": {"privacy_notice": True}, **extra}


async def test_the_form_keeps_only_the_needs_the_event_asks_for_and_they_leave_with_the_erasure(
    intake, clock
) -> None:
    asking = scheduled(clock, capacity=5, asks_dietary_needs=True, participant_list=True)
    plain = scheduled(clock, capacity=5)
    for event in (asking, plain):
        await deliver(intake, event)
    extra = {"gender": "woman", "dietary_needs": "gluteeniton", "accessibility_needs": "induktiosilmukka",
             "consents": {"privacy_notice": True, "participant_list": True}}
    kept = {}
    for event in (asking, plain):
        draft, errors = validate_registration(_body(event.scheduled_event_id, **extra), intake.region)
        assert draft is not None, errors
        kept[event.scheduled_event_id] = (await intake.registrations.register(draft)).registration
    first, second = kept[asking.scheduled_event_id], kept[plain.scheduled_event_id]
    assert (first["dietary_needs"], first["accessibility_needs"], first["on_participant_list"]) == (
        "gluteeniton", None, True)
    assert (second["dietary_needs"], second["accessibility_needs"], second["on_participant_list"]) == (
        None, None, False)
    assert first["gender"] == second["gender"] == "woman"
    sent = {e.data["scheduled_event_id"]: e.data for e in await events_of(intake)}
    assert sent[asking.scheduled_event_id]["dietary_needs"] == "gluteeniton"
    assert sent[plain.scheduled_event_id]["dietary_needs"] is None

    _, errors = validate_registration(_body(asking.scheduled_event_id, gender="robot",
                                            dietary_needs="x" * 501), intake.region)
    assert set(errors) == {"gender", "dietary_needs"}

    await intake.store.erase_person("n@example.fi", None, (), "erasure-1")
    erased = await intake.store.registration(first["registration_id"])
    assert erased["dietary_needs"] is None and erased["gender"] is None
    assert erased["participant"]["name"] != "Osallistuja"


async def test_registrations_stored_before_the_numbering_count_as_ahead_of_every_new_one(intake, clock) -> None:
    event = scheduled(clock, capacity=2)
    await deliver(intake, event)
    for n, (doc_id, status) in enumerate([(":1", "confirmed"), (":2", "confirmed"), (":w1", "waitlisted")]):
        await intake.store.registrations.insert_one({  # as the seat-numbered scheme stored them
            "_id": event.scheduled_event_id + doc_id, "registration_id": f"old-{n}", "key": f"old-{n}",
            "scheduled_event_id": event.scheduled_event_id, "status": status, "received_at": clock()})
    new = (await intake.registrations.register(sign_up(event.scheduled_event_id, "new@example.fi"))).registration
    assert (new["status"], new["position_on_waitlist"]) == ("waitlisted", 2)
    assert await intake.registrations.cancel("old-0") == "cancelled"
    assert [status for _, status in await intake.store.line(event.scheduled_event_id)] == [
        "confirmed", "confirmed", "waitlisted"]
    assert (await intake.store.registration("old-2"))["status"] == "confirmed"  # the old one in line first


async def test_an_erased_person_gives_up_their_seat_to_the_first_waiting(intake, clock) -> None:
    from koonto.shared.contracts.intake import ErasureRequested

    _event_id, regs = await _full_event(intake, clock, capacity=1, people=2)
    erasure = ErasureRequested(request_id="e-1", requested_at=clock(), email="w0@example.fi", idea_ids=())
    for _ in range(2):  # a redelivery cancels nothing twice
        await deliver(intake, erasure)
    events = await events_of(intake)
    assert types(events) == [CANCELLED, PROMOTED]
    assert events[1].data["registration_id"] == regs[1]["registration_id"]
    erased = await intake.store.registration(regs[0]["registration_id"])
    assert erased is not None and erased["status"] == "cancelled" and "email" not in erased["participant"]
