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


GENDERS = {
    "woman": N_("Nainen"),
    "man": N_("Mies"),
    "other": N_("Muu"),
    "not_told": N_("En halua kertoa"),
}


@dataclass(frozen=True)
class Needs:
    """What the registrant tells beyond the contact: each kept only when the event asks for it."""

    gender: str | None = None
    dietary_needs: str | None = None
    accessibility_needs: str | None = None
    on_participant_list: bool = False

    def asked_by(self, event: dict[str, Any]) -> Needs:
        """Data minimised: what the event does not ask is dropped, whatever was sent."""
        return Needs(
            gender=self.gender,
            dietary_needs=self.dietary_needs if event.get("asks_dietary_needs") else None,
            accessibility_needs=self.accessibility_needs if event.get("asks_accessibility_needs") else None,
            on_participant_list=self.on_participant_list and bool(event.get("participant_list")),
        )


@dataclass(frozen=True)
class RegistrationDraft:
    scheduled_event_id: str
    participant: dict[str, Any]
    organisation_name: str | None
    municipality: str | None
    needs: Needs = Needs()


Status = Literal["confirmed", "waitlisted"]
LIVE: tuple[Status, ...] = ("confirmed", "waitlisted")


@dataclass(frozen=True)
class Place:
    """The n-th sign-up of an event (numbered from 1, gapless): one registration document whose `_id` is
    `place_id`, so two sign-ups can never hold the same number: the store's unique `_id` decides between
    concurrent writers, on every supported store. A cancelled registration keeps its document and its number.

    A number n is only ever tried once n-1 is known to be taken (a hint only grows from numbers seen taken), so
    when n is tried every earlier sign-up is already stored: what is ahead of it can be counted."""

    number: int

    def place_id(self, event_id: str) -> str:
        return f"{event_id}:{self.number}"


@dataclass(frozen=True)
class Standing:
    """Where a registration stands: a seat, or a place on the waiting list (from 1)."""

    status: Status
    position_on_waitlist: int | None = None


def standing(live_ahead: int, capacity: int) -> Standing:
    """The seats are the first `capacity` registrations not cancelled, in the order they came."""
    if live_ahead < capacity:
        return Standing("confirmed")
    return Standing("waitlisted", live_ahead - capacity + 1)


def to_promote(line: list[tuple[str, Status]], capacity: int) -> list[str]:
    """The waiting ones (ids, in `line`'s order: every registration not cancelled, in sign-up order) that now hold
    one of the first `capacity` places, while fewer than `capacity` are confirmed.

    Safe to decide from a view that is a moment old: a registration ahead can only leave (cancelled, never
    un-cancelled) and the ones behind came later, so a place counted as taken is at most too cautious, never
    a seat given twice; the next look (the next cancellation, sign-up or redelivery) gives what was left."""
    confirmed = sum(1 for _, status in line if status == "confirmed")
    promoted: list[str] = []
    for registration_id, status in line[:capacity]:
        if confirmed + len(promoted) >= capacity:
            break
        if status == "waitlisted":
            promoted.append(registration_id)
    return promoted


def waitlist_position(line: list[tuple[str, Status]], registration_id: str) -> int | None:
    """Today's place in the queue of a waiting registration (1 = next to get a seat)."""
    waiting = [rid for rid, status in line if status == "waitlisted"]
    return waiting.index(registration_id) + 1 if registration_id in waiting else None


@dataclass(frozen=True)
class SeatsTaken:
    """How many registrations of one event hold a seat and how many wait (cancelled ones are neither)."""

    confirmed: int = 0
    waitlisted: int = 0

    def seats_left(self, capacity: int) -> int:
        return max(0, capacity - self.confirmed - self.waitlisted)


class PlaceHints:
    """The highest sign-up number known taken per event in this process, so a sign-up usually takes its number
    in one insert.

    Only a hint: a stale one (another replica took numbers since) costs one failed insert per number taken
    meanwhile, never a wrong answer. It only ever grows from numbers known to be taken, so it never skips one."""

    def __init__(self, max_events: int = 10_000) -> None:
        self._taken: dict[str, int] = {}
        self._max_events = max_events

    def get(self, event_id: str) -> int | None:
        return self._taken.get(event_id)

    def remember(self, event_id: str, taken: int) -> None:
        if event_id not in self._taken and len(self._taken) >= self._max_events:
            self._taken.pop(next(iter(self._taken)))  # the oldest event known: re-counted if it is needed again
        self._taken[event_id] = max(self._taken.get(event_id, 0), taken)

    def taken(self, event_id: str, place: Place) -> None:
        if event_id in self._taken:  # an event not known is counted from its registrations when it is next needed
            self._taken[event_id] = max(self._taken[event_id], place.number)


def is_open_for_registration(starts_at: datetime, held: bool, now: datetime) -> bool:
    return not held and starts_at > now


def validate_registration(
    raw: Any, region: Region, *, default_language: str = "fi"
) -> tuple[RegistrationDraft | None, FieldErrors]:

    errors: FieldErrors = {}
    body = Fields(raw, errors)
    event_id = body.text("scheduled_event_id", max_length=100, missing=EVENT_MISSING)
    participant = read_contact(body, "participant", default_language=default_language)
    organisation_name = body.text("organisation_name", required=False)
    municipality = read_listed_municipality(body, region, MUNICIPALITY_UNKNOWN)
    needs = Needs(
        gender=body.choice("gender", GENDERS, default="") or None,
        dietary_needs=body.text("dietary_needs", required=False, max_length=500, multiline=True),
        accessibility_needs=body.text("accessibility_needs", required=False, max_length=500, multiline=True),
    )
    consents = require_privacy_notice(body, errors, PRIVACY_REQUIRED_FOR_REGISTRATION, also=("participant_list",))
    body.finish()
    if errors:
        return None, errors
    assert event_id is not None
    needs = Needs(needs.gender, needs.dietary_needs, needs.accessibility_needs, consents["participant_list"])
    return RegistrationDraft(event_id, participant, organisation_name, municipality, needs), {}
