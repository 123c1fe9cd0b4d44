"""Booking an advice time (hankeklinikka): decided here, where the public request arrives, by a unique-key claim of
the slot's next generation, then the winner's mark of the slot (store.AdviceSlotStore.claim, .book); cancelling
frees the slot for its next generation; rebooking takes the new time first, then lets the old one go, so a person
never ends up with neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from koonto.intake.domain.bookings import BookingDraft, open_for_booking
from koonto.intake.domain.errors import LinkRefused, SlotClaimPending, SlotNotOpen, SlotTaken
from koonto.intake.use_cases.base import UseCase, stable_key
from koonto.shared.clock import as_utc
from koonto.shared.contracts.advisory import AdviceSlotPublished, AdviceSlotWithdrawn
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked, Contact
from koonto.shared.ids import new_event_id
from koonto.shared.mongo import Document

WITHDRAWAL = "advisory-withdrawal"  # the claimant of a withdrawal (a redelivered one finds its own claim)


@dataclass(frozen=True)
class Booked:
    slot: Document
    booking: Document
    replayed: bool  # the same person had just booked this time (a double submit): the earlier booking


@dataclass
class Bookings(UseCase):
    # -- advisory's slots ------------------------------------------------------------------------------------
    async def keep_published(self, event: AdviceSlotPublished) -> None:
        await self.store.advice.keep_published({
            "slot_id": event.slot_id, "region": self.region.code, "starts_at": as_utc(event.starts_at),
            "ends_at": as_utc(event.ends_at), "kind": event.kind, "place": event.place,
            "online_url": event.online_url, "advisor_id": event.advisor_id, "advisor_name": event.advisor_name,
        })

    async def withdraw(self, event: AdviceSlotWithdrawn) -> bool:
        """False when the slot was booked first: the booking stands (advisory shows it when it arrives). The
        withdrawal claims the slot's next generation like a booking, so the two never both win; a booking's claim
        that has not marked the slot yet raises SlotClaimPending (the consumer retries)."""
        slot = await self.store.advice.slot(event.slot_id)
        if slot is None or slot["status"] != "free":
            return False
        claim = await self.store.advice.claim(slot, who=WITHDRAWAL, booking_id=None, now=self.clock())
        if claim is None:
            now_slot = await self.store.advice.slot(event.slot_id)
            if now_slot is not None and now_slot["status"] == "free":
                raise SlotClaimPending(event.slot_id)  # a booking's claim not marked yet: decided on a retry
            return False
        if await self.store.advice.withdraw(event.slot_id, claim.n, as_utc(event.withdrawn_at)):
            return True
        await self.store.advice.release(event.slot_id, claim.n)
        return False

    # -- the public side -------------------------------------------------------------------------------------
    async def book(
        self, draft: BookingDraft, *, idea_id: str | None = None, rebooked_from: str | None = None
    ) -> Booked:
        """Raises SlotNotOpen (unknown, withdrawn, too soon) or SlotTaken (someone else got it first)."""
        now = self.clock()
        slot = self.store.scope.only(await self.store.advice.slot(draft.slot_id))  # this region's times only
        if slot is None or not open_for_booking(slot["status"], as_utc(slot["starts_at"]), now):
            raise SlotNotOpen(draft.slot_id)
        booking_id = new_event_id()
        booking, event = self._booking(draft, slot, booking_id, idea_id, rebooked_from, now)
        if slot["status"] == "free":
            who = stable_key("booking", draft.contact["email"].casefold())
            claim = await self.store.advice.claim(slot, who=who, booking_id=booking_id, now=now)
            if claim is not None and claim.booking_id != booking_id:  # their own click a moment ago claimed it
                return Booked(slot, {**booking, "booking_id": claim.booking_id}, replayed=True)
            if claim is not None and await self.store.advice.book(draft.slot_id, claim.n, booking, event):
                self.written(True, event)
                return Booked(slot, booking, replayed=False)
            if claim is not None:  # the slot moved on since it was read (withdrawn, passed over): not ours
                await self.store.advice.release(draft.slot_id, claim.n)
        held = await self.store.advice.slot(draft.slot_id)
        current = (held or {}).get("bookings", {}).get((held or {}).get("booking_id") or "")
        if current and (current.get("contact") or {}).get("email") == draft.contact["email"]:
            return Booked(slot, current, replayed=True)  # their own first click won
        if held is None or held.get("status") == "withdrawn":
            raise SlotNotOpen(draft.slot_id)
        raise SlotTaken(draft.slot_id)

    def _booking(
        self, draft: BookingDraft, slot: Document, booking_id: str, idea_id: str | None, rebooked_from: str | None,
        now: datetime,
    ) -> tuple[Document, Any]:
        manage_url = self.links.booking_url(slot["_id"], booking_id)
        data = AdviceSessionBooked(
            booking_id=booking_id, slot_id=slot["_id"], idea_id=idea_id, booked_at=now,
            starts_at=as_utc(slot["starts_at"]), ends_at=as_utc(slot["ends_at"]), kind=slot["kind"],
            place=slot.get("place"), online_url=slot.get("online_url"), advisor_id=slot["advisor_id"],
            advisor_name=slot["advisor_name"], contact=Contact(**draft.contact),
            organisation_name=draft.organisation_name, topic=draft.topic, manage_url=manage_url,
            rebooked_from=rebooked_from,
        )
        booking = {
            "booking_id": booking_id, "status": "booked", "booked_at": now, "contact": draft.contact,
            "organisation_name": draft.organisation_name, "topic": draft.topic, "idea_id": idea_id,
            "rebooked_from": rebooked_from,
        }
        return booking, self.events.new_event(data, subject=booking_id)

    async def cancel(self, slot: Document, booking: Document, *, rebooked_as: str | None = None) -> bool:
        """True when this cancelled the booking (a second click, or a cancelled one, changes nothing)."""
        if booking.get("status") != "booked":
            return False
        data = AdviceBookingCancelled(
            booking_id=booking["booking_id"], slot_id=slot["_id"], idea_id=booking.get("idea_id"),
            cancelled_at=self.clock(), starts_at=as_utc(slot["starts_at"]), advisor_id=slot["advisor_id"],
            rebooked_as=rebooked_as,
        )
        event = self.events.new_event(data, subject=booking["booking_id"])
        done = await self.store.advice.cancel(slot["_id"], booking["booking_id"], data.cancelled_at, event)
        return self.written(done, event)

    async def rebook(self, slot: Document, booking: Document, new_slot_id: str) -> Booked:
        """The new time first (SlotTaken / SlotNotOpen leave the old booking as it was), then the old one goes."""
        if booking.get("status") != "booked":
            raise LinkRefused("missing")
        draft = BookingDraft(new_slot_id, booking["contact"], booking.get("organisation_name"), booking["topic"])
        booked = await self.book(draft, idea_id=booking.get("idea_id"), rebooked_from=booking["booking_id"])
        await self.cancel(slot, booking, rebooked_as=booked.booking["booking_id"])
        return booked
