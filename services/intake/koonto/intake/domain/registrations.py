"""Signing up for a training or forum: the form's rules and who gets a seat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from koonto.intake.domain.fields import Fields
from koonto.intake.domain.ideas import read_contact, read_listed_municipality, require_privacy_notice
from koonto.intake.domain.messages import N_, FieldErrors
from koonto.shared.region import Region

PRIVACY_REQUIRED_FOR_REGISTRATION = N_("Hyväksy tietosuojaseloste, jotta voimme käsitellä ilmoittautumisesi.")

EVENT_MISSING = N_("Valitse tilaisuus.")
EVENT_UNKNOWN = N_("Tilaisuutta ei löydy tai siihen ei voi enää ilmoittautua.")
MUNICIPALITY_UNKNOWN = N_("Valitse kunta listasta.")

EVENT_KINDS = {
    "training": N_("Koulutus"),
    "forum": N_("Foorumi"),
    "talk": N_("Puheenvuoro"),
    "workshop": N_("Työpaja"),
    "networking": N_("Verkostotapaaminen"),
}


@dataclass(frozen=True)
class RegistrationDraft:
    scheduled_event_id: str
    participant: dict[str, Any]
    organisation_name: str | None
    municipality: str | None


@dataclass(frozen=True)
class Seat:
    """A seat (numbered from 1 up to the capacity) or a place on the waiting list (from 1, no end).

    Each is one registration document whose `_id` is `seat_id`, so two registrations can never hold the same
    one: the store's unique `_id` decides between concurrent writers, on every supported store."""

    status: Literal["confirmed", "waitlisted"]
    number: int

    @property
    def position_on_waitlist(self) -> int | None:
        return self.number if self.status == "waitlisted" else None

    def seat_id(self, event_id: str) -> str:
        return f"{event_id}:{self.number}" if self.status == "confirmed" else f"{event_id}:w{self.number}"


@dataclass(frozen=True)
class SeatsTaken:
    """How many seats and waiting-list places of one event are taken (the highest numbers, as they are gapless)."""

    confirmed: int = 0
    waitlisted: int = 0

    def next_seat(self, capacity: int) -> Seat:
        """The seat to try next: the next seat while there is one, else the next place on the waiting list."""
        if self.confirmed < capacity:
            return Seat("confirmed", self.confirmed + 1)
        return Seat("waitlisted", self.waitlisted + 1)

    def past(self, seat: Seat) -> SeatsTaken:
        """These counts once `seat` is known to be taken."""
        if seat.status == "confirmed":
            return SeatsTaken(max(self.confirmed, seat.number), self.waitlisted)
        return SeatsTaken(self.confirmed, max(self.waitlisted, seat.number))

    def seats_left(self, capacity: int) -> int:
        return max(0, capacity - self.confirmed)


class SeatHints:
    """The last known `SeatsTaken` per event in this process, so a sign-up usually takes its seat in one insert.

    Only a hint: a stale one (another replica took seats since) costs one failed insert per seat taken meanwhile,
    never a wrong answer. It only ever grows from seats known to be taken, so it never skips a free seat."""

    def __init__(self, max_events: int = 10_000) -> None:
        self._taken: dict[str, SeatsTaken] = {}
        self._max_events = max_events

    def get(self, event_id: str) -> SeatsTaken | None:
        return self._taken.get(event_id)

    def remember(self, event_id: str, taken: SeatsTaken) -> None:
        if event_id not in self._taken and len(self._taken) >= self._max_events:
            self._taken.pop(next(iter(self._taken)))  # the oldest event known: re-counted if it is needed again
        known = self._taken.get(event_id, SeatsTaken())
        self._taken[event_id] = SeatsTaken(max(known.confirmed, taken.confirmed),
                                           max(known.waitlisted, taken.waitlisted))

    def taken(self, event_id: str, seat: Seat) -> None:
        known = self._taken.get(event_id)
        if known is not None:  # an event not known is counted from its registrations when it is next needed
            self._taken[event_id] = known.past(seat)


def is_open_for_registration(starts_at: datetime, held: bool, now: datetime) -> bool:
    return not held and starts_at > now


def validate_registration(
    raw: Any, region: Region, *, default_language: str = "fi"
) -> tuple[RegistrationDraft | None, FieldErrors]:

    errors: FieldErrors = {}
    body = Fields(raw, errors)
    event_id = body.text("scheduled_event_id", max_length=100, missing=EVENT_MISSING)
    participant_fields = body.object("participant")
    participant = read_contact(participant_fields, default_language=default_language)
    participant_fields.finish()
    organisation_name = body.text("organisation_name", required=False)
    municipality = read_listed_municipality(body, region, MUNICIPALITY_UNKNOWN)
    require_privacy_notice(body, errors, PRIVACY_REQUIRED_FOR_REGISTRATION)
    body.finish()
    if errors:
        return None, errors
    assert event_id is not None
    return RegistrationDraft(event_id, participant, organisation_name, municipality), {}
