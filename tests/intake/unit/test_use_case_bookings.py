"""Booking advice times (domain/bookings.py, use_cases/bookings.py) on the in-memory store: the form's rules, the
times one can book, the compare-and-set, cancel and rebook, each with its event once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from koonto.intake.domain.bookings import validate_booking
from koonto.intake.domain.errors import SlotClaimPending, SlotNotOpen, SlotTaken
from koonto.shared.contracts.advisory import AdviceSlotPublished, AdviceSlotWithdrawn
from tests.intake.unit.conftest import deliver, events_of, types


def published(clock, slot_id: str = "slot-1", hours: float = 48) -> AdviceSlotPublished:
    starts = clock() + timedelta(hours=hours)
    return AdviceSlotPublished(slot_id=slot_id, starts_at=starts, ends_at=starts + timedelta(hours=1), kind="phone",
                               advisor_id="staff-1", advisor_name="Niina Neuvoja", published_at=clock())


def draft(slot_id: str = "slot-1", email: str = "maija@example.fi"):
    made, errors = validate_booking({"slot_id": slot_id, "contact": {"name": "Maija", "email": email},
                                     "topic": "Rahoitus", "consents": {"privacy_notice": True}})
    assert made is not None, errors
    return made


def test_the_form_names_every_missing_answer_at_once() -> None:
    made, errors = validate_booking({"contact": {"email": "ei-osoite"}, "topic": " ", "extra": "x"})
    assert made is None
    wrong = {"slot_id", "contact.name", "contact.email", "topic", "consents", "consents.privacy_notice", "extra"}
    assert set(errors) == wrong
    too_long, errors = validate_booking({**{"slot_id": "s", "contact": {"name": "M", "email": "m@example.fi"}},
                                         "topic": "x" * 2001, "consents": {"privacy_notice": True}})
    assert too_long is None and set(errors) == {"topic"}


async def test_one_booking_per_time_then_taken_and_the_time_leaves_the_list(intake, clock) -> None:
    await deliver(intake, published(clock))
    await deliver(intake, published(clock, "slot-2", hours=72))
    await events_of(intake)
    booked = await intake.bookings.book(draft())
    assert not booked.replayed and booked.booking["status"] == "booked"
    assert (await intake.bookings.book(draft())).replayed  # the same person again: the same booking
    with pytest.raises(SlotTaken):
        await intake.bookings.book(draft(email="other@example.fi"))
    assert [s["_id"] for s in await intake.views.free_advice_slots()] == ["slot-2"]
    [event] = await events_of(intake)
    assert event.type == "koonto.intake.advice-session-booked.v1" and event.data["booking_id"] == booked.booking[
        "booking_id"]


async def test_withdrawn_soon_and_unknown_times_cannot_be_booked(intake, clock) -> None:
    await deliver(intake, published(clock, "soon", hours=1))
    await deliver(intake, published(clock, "gone"))
    await deliver(intake, AdviceSlotWithdrawn(slot_id="gone", withdrawn_at=clock(), withdrawn_by="staff-1"))
    for slot_id in ("soon", "gone", "nope"):
        with pytest.raises(SlotNotOpen):
            await intake.bookings.book(draft(slot_id))
    assert await intake.views.free_advice_slots() == []
    assert await events_of(intake) == []


async def test_rebooking_takes_the_new_time_first_and_cancelling_twice_is_once(intake, clock) -> None:
    await deliver(intake, published(clock))
    await deliver(intake, published(clock, "slot-2", hours=72))
    await deliver(intake, published(clock, "slot-3", hours=96))
    booked = await intake.bookings.book(draft())
    await intake.bookings.book(draft("slot-3", "other@example.fi"))
    slot, booking = await intake.views.booking_of_link(
        intake.links.booking.sign(["slot-1", booked.booking["booking_id"]]))
    with pytest.raises(SlotTaken):  # the new time is taken: the old booking is kept as it was
        await intake.bookings.rebook(slot, booking, "slot-3")
    moved = await intake.bookings.rebook(slot, booking, "slot-2")
    assert moved.booking["rebooked_from"] == booked.booking["booking_id"]
    assert [s["_id"] for s in await intake.views.free_advice_slots()] == ["slot-1"]
    await events_of(intake)
    new_slot, new_booking = await intake.views.booking_of_link(
        intake.links.booking.sign(["slot-2", moved.booking["booking_id"]]))
    assert await intake.bookings.cancel(new_slot, new_booking)
    assert not await intake.bookings.cancel(new_slot, new_booking)  # read before the first cancel: refused by the store
    assert types(await events_of(intake)) == ["koonto.intake.advice-booking-cancelled.v1"]


async def test_a_claim_left_unmarked_holds_the_time_for_its_lease_then_the_next_booker_gets_it(intake, clock) -> None:
    await deliver(intake, published(clock))
    claims = intake.store.advice.claims  # what a replica that died between the claim and the mark leaves
    await claims.insert_new({"_id": "slot-1:1", "slot": "slot-1", "n": 1, "who": "x", "booking_id": "b-dead",
                             "claimed_at": clock()})
    with pytest.raises(SlotTaken):
        await intake.bookings.book(draft())
    with pytest.raises(SlotClaimPending):  # a withdrawal now waits (the consumer retries) rather than lose to it
        await intake.bookings.withdraw(AdviceSlotWithdrawn(slot_id="slot-1", withdrawn_at=clock(), withdrawn_by="s"))
    clock.advance(seconds=31)
    booked = await intake.bookings.book(draft())
    assert not booked.replayed
    slot = await intake.store.advice.slot("slot-1")
    assert slot is not None and (slot["status"], slot["claim_n"]) == ("booked", 2)
    assert (await intake.bookings.book(draft())).replayed  # the same person again: the same booking
    assert not await intake.bookings.withdraw(  # after the booking: the booking stands
        AdviceSlotWithdrawn(slot_id="slot-1", withdrawn_at=clock(), withdrawn_by="s"))
    assert types(await events_of(intake)) == ["koonto.intake.advice-session-booked.v1"]


async def test_after_a_cancellation_the_time_is_claimed_again_at_the_next_generation(intake, clock) -> None:
    await deliver(intake, published(clock))
    first = await intake.bookings.book(draft())
    slot = await intake.store.advice.slot("slot-1")
    assert slot is not None
    assert await intake.bookings.cancel(slot, slot["bookings"][first.booking["booking_id"]])
    second = await intake.bookings.book(draft(email="other@example.fi"))
    slot = await intake.store.advice.slot("slot-1")
    assert slot is not None and (slot["claim_n"], slot["booking_id"]) == (2, second.booking["booking_id"])
    assert await intake.store.advice.claims.count_documents({"slot": "slot-1"}) == 2
