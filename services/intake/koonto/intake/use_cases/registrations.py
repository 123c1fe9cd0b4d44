"""Signing up for a training or forum: a seat while there are seats, else a place on the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from koonto.intake.domain.errors import EventNotOpen
from koonto.intake.domain.registrations import RegistrationDraft, Seat, is_open_for_registration
from koonto.intake.store import SeatTaken
from koonto.intake.use_cases.base import UseCase, stable_key
from koonto.shared.clock import as_utc
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.intake import Contact, RegistrationReceived
from koonto.shared.ids import new_event_id


@dataclass(frozen=True)
class Registered:
    registration: dict[str, Any]
    replayed: bool  # the same person had already signed up: the earlier registration


@dataclass
class Registrations(UseCase):
    async def register(self, draft: RegistrationDraft) -> Registered:
        """Raises EventNotOpen for an unknown, past or held event."""
        now = self.clock()
        event = await self.store.scheduled_event(draft.scheduled_event_id)
        if event is None or not is_open_for_registration(as_utc(event["starts_at"]), event.get("held", False), now):
            raise EventNotOpen(draft.scheduled_event_id)
        key = stable_key(draft.scheduled_event_id, draft.participant["email"])
        earlier = await self.store.registration_by_key(key)
        if earlier is not None:
            return Registered(earlier, replayed=True)
        registration_id = new_event_id()
        taken = await self.store.seats_taken(draft.scheduled_event_id)
        while True:  # each SeatTaken is a seat another sign-up took meanwhile: the next one is tried
            seat = taken.next_seat(int(event["capacity"]))
            doc, received = self._registration(draft, event, key, registration_id, seat, now)
            try:
                winner = await self.store.record_registration(seat, doc, received)
            except SeatTaken:
                taken = taken.past(seat)
                continue
            if winner is not None:
                return Registered(winner, replayed=True)
            self.written(True, received)
            return Registered(doc, replayed=False)

    def _registration(
        self, draft: RegistrationDraft, event: dict[str, Any], key: str, registration_id: str, seat: Seat,
        now: datetime,
    ) -> tuple[dict[str, Any], Envelope]:
        """The registration in this seat and its registration-received event."""
        data = RegistrationReceived(
            registration_id=registration_id, scheduled_event_id=draft.scheduled_event_id, status=seat.status,
            received_at=now, participant=Contact(**draft.participant), organisation_name=draft.organisation_name,
            municipality=draft.municipality, position_on_waitlist=seat.position_on_waitlist,
        )
        doc = {
            "_id": seat.seat_id(draft.scheduled_event_id), "registration_id": registration_id, "key": key,
            "region": self.region.code, "scheduled_event_id": draft.scheduled_event_id, "event_title": event["title"],
            "event_starts_at": event["starts_at"], "status": seat.status,
            "position_on_waitlist": seat.position_on_waitlist, "received_at": now, "participant": draft.participant,
            "organisation_name": draft.organisation_name, "municipality": draft.municipality,
            "erased_at": None,
        }
        return doc, self.events.new_event(data, subject=registration_id)
