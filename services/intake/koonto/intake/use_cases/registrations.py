"""Signing up for a training or forum, cancelling, and the waiting list moving when a seat frees.

The seats are derived from the registrations in the order they came: the first `capacity` ones not cancelled
hold a seat, the rest wait in that order. Every change of one registration (cancelled, promoted) is a
compare-and-set on its one document carrying its event, so a crash between a cancellation and the promotion it
allows, two replicas, or a redelivery never fills a seat twice or skips anyone: `fill_seats` runs at once after
each cancellation, and again in the consumers of registration-cancelled, of a waiting registration-received
and of event-scheduled (a crash in between is finished by the redelivery, from the outbox that carried the
cancellation)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from koonto.intake.domain.errors import EventNotOpen
from koonto.intake.domain.registrations import (
    LIVE,
    Place,
    RegistrationDraft,
    Status,
    is_open_for_registration,
    standing,
    to_promote,
    waitlist_position,
)
from koonto.intake.store import PlaceTaken
from koonto.intake.use_cases.base import UseCase, stable_key
from koonto.shared.clock import as_utc
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.intake import Contact, RegistrationCancelled, RegistrationPromoted, RegistrationReceived
from koonto.shared.ids import new_event_id
from koonto.shared.region import using_region

log = logging.getLogger(__name__)

CancelOutcome = Literal["cancelled", "already", "started", "gone"]


@dataclass(frozen=True)
class Registered:
    registration: dict[str, Any]
    replayed: bool  # the same person had already signed up: the earlier registration


@dataclass(frozen=True)
class Cancellable:
    """A registration as its cancel page shows it: the event, its status today and whether it can still go."""

    registration: dict[str, Any]
    event: dict[str, Any] | None
    position: int | None  # today's place in the queue, when waiting
    outcome: CancelOutcome | None  # None: it can be cancelled now


@dataclass
class Registrations(UseCase):
    async def register(self, draft: RegistrationDraft) -> Registered:
        """Raises EventNotOpen for an unknown, past or held event."""
        now = self.clock()
        event_id = draft.scheduled_event_id
        event = self.store.scope.only(await self.store.scheduled_event(event_id))  # another region's: not open here
        if event is None or not is_open_for_registration(as_utc(event["starts_at"]), event.get("held", False), now):
            raise EventNotOpen(event_id)
        key = stable_key(event_id, draft.participant["email"])
        earlier = await self.store.registration_by_key(key)
        if earlier is not None:
            return Registered(earlier, replayed=True)
        registration_id = new_event_id()
        place = Place(await self.store.places_taken(event_id) + 1)
        ahead = await self.store.live_ahead(event_id, place, int(event["capacity"]))  # every earlier one is stored
        while True:  # each PlaceTaken is a number another sign-up took meanwhile: the next one is tried
            doc, received = self._registration(draft, event, key, registration_id, place, ahead, now)
            try:
                winner = await self.store.record_registration(place, doc, received)
            except PlaceTaken:
                # the one who took it is ahead now (counting it as not cancelled is at most too cautious: a
                # seat freed meanwhile goes to the first waiting through registration-received's consumer)
                place, ahead = Place(place.number + 1), ahead + 1
                continue
            if winner is not None:
                return Registered(winner, replayed=True)
            self.written(True, received)
            return Registered(doc, replayed=False)

    def _registration(
        self, draft: RegistrationDraft, event: dict[str, Any], key: str, registration_id: str, place: Place,
        ahead: int, now: datetime,
    ) -> tuple[dict[str, Any], Envelope]:
        """The registration at this sign-up number and its registration-received event."""
        where = standing(ahead, int(event["capacity"]))
        needs = draft.needs.asked_by(event)
        data = RegistrationReceived(
            registration_id=registration_id, scheduled_event_id=draft.scheduled_event_id, status=where.status,
            received_at=now, participant=Contact(**draft.participant), organisation_name=draft.organisation_name,
            municipality=draft.municipality, position_on_waitlist=where.position_on_waitlist,
            cancel_url=self.links.cancel_url(registration_id), **asdict(needs),
        )
        doc = {
            "_id": place.place_id(draft.scheduled_event_id), "seq": place.number, "registration_id": registration_id,
            "key": key, "region": self.region.code, "scheduled_event_id": draft.scheduled_event_id,
            "event_title": event["title"], "event_starts_at": event["starts_at"], "status": where.status,
            "position_on_waitlist": where.position_on_waitlist, "received_at": now, "participant": draft.participant,
            "organisation_name": draft.organisation_name, "municipality": draft.municipality, **asdict(needs),
            "erased_at": None,
        }
        return doc, self.events.new_event(data, subject=registration_id)

    # -- cancelling ------------------------------------------------------------------------------------------
    async def cancellable(self, registration_id: str) -> Cancellable | None:
        """What the cancel page shows; None when intake no longer holds the registration."""
        registration = self.store.scope.only(await self.store.registration(registration_id))
        if registration is None:  # not held, or another region's
            return None
        event = await self.store.scheduled_event(registration["scheduled_event_id"])
        outcome: CancelOutcome | None = None
        position = None
        if registration.get("status") not in LIVE or registration.get("erased_at"):
            outcome = "already" if registration.get("status") == "cancelled" else "gone"
        elif event is None or not is_open_for_registration(as_utc(event["starts_at"]), event.get("held", False),
                                                          self.clock()):
            outcome = "started"
        elif registration["status"] == "waitlisted":
            position = waitlist_position(await self.store.line(registration["scheduled_event_id"]), registration["_id"])
        return Cancellable(registration, event, position, outcome)

    async def cancel(self, registration_id: str, *, staff_id: str | None = None) -> CancelOutcome:
        """Cancel once (a second click, a second replica: "already"); refused once the event has started. The
        seat or the place in the queue is free at once and the first waiting gets the seat."""
        while True:
            found = await self.cancellable(registration_id)
            if found is None:
                return "gone"
            if found.outcome is not None:
                return found.outcome
            registration = found.registration
            was: Status = registration["status"]
            now = self.clock()
            envelope = self.events.new_event(
                RegistrationCancelled(
                    registration_id=registration_id, scheduled_event_id=registration["scheduled_event_id"],
                    cancelled_at=now, was=was, cancelled_by="staff" if staff_id else "registrant", staff_id=staff_id,
                ),
                subject=registration_id,
            )
            if self.written(await self.store.cancel_registration(registration["_id"], was, now, envelope), envelope):
                break
            # not as read: cancelled at the same moment elsewhere, or promoted meanwhile (then it is read again)
        await self.fill_seats_now(registration["scheduled_event_id"])
        return "cancelled"

    async def cancel_for_erasure(self, email: str) -> int:
        """An erased person's sign-ups to events still ahead are cancelled first (their seats go to the waiting
        list, as with any cancellation); those of events that started stay, anonymised, in the attendance."""
        cancelled = 0
        for registration_id in await self.store.live_registrations_of(email):
            registration = await self.store.registration(registration_id)
            with using_region((registration or {}).get("region")):  # an erasure reaches every region's sign-ups
                cancelled += await self.cancel(registration_id) == "cancelled"
        return cancelled

    # -- the waiting list ------------------------------------------------------------------------------------
    async def fill_seats(self, event_id: str) -> list[Envelope]:
        """Give the free seats to the first waiting, in order: each promotion a compare-and-set. Safe to run
        any number of times on any replica (a registration already promoted is not promoted again)."""
        event = await self.store.scheduled_event(event_id)
        now = self.clock()
        if event is None or not is_open_for_registration(as_utc(event["starts_at"]), event.get("held", False), now):
            return []  # the waiting list no longer moves once the event has started
        if await self.store.confirmed_count(event_id) >= int(event["capacity"]):
            return []  # no free seat (a seat freed meanwhile is given by the fill after that cancellation)
        promoted = []
        for doc_id in to_promote(await self.store.line(event_id), int(event["capacity"])):
            registration = await self.store.registration_at(doc_id)
            if registration is None:
                continue
            registration_id = registration["registration_id"]
            envelope = self.events.new_event(
                RegistrationPromoted(registration_id=registration_id, scheduled_event_id=event_id, promoted_at=now,
                                     cancel_url=self.links.cancel_url(registration_id)),
                subject=registration_id,
            )
            if self.written(await self.store.promote(doc_id, now, envelope), envelope):
                promoted.append(envelope)
        return promoted

    async def fill_seats_now(self, event_id: str) -> None:
        """The request's own try: a failure here is logged, and the consumer of the event that freed the seat
        (registration-cancelled, carried by the same write) gives the seat instead."""
        try:
            await self.fill_seats(event_id)
        except Exception:
            log.warning("seats not filled at once", extra={"scheduled_event_id": event_id}, exc_info=True)
