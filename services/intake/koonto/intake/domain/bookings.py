"""Booking an advice time (hankeklinikka): the form's rules, which slots can be booked, and the slot's states.

A slot is one document in intake's `advice_slots`; the booking is decided by a unique-key claim of the slot's next
generation (`slot_claims`, see store.AdviceSlotStore), whose winner alone marks the slot `free` -> `booked`, so
exactly one of any number of people asking at once, on any number of replicas, gets it.
The person's contact and topic live inside the slot document (`bookings.<booking id>`) with the event it causes:
state and event in one single-document write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from koonto.intake.domain.fields import Fields
from koonto.intake.domain.ideas import read_contact, require_privacy_notice
from koonto.intake.domain.messages import N_, FieldErrors

SLOT_KINDS = {
    "in_person": N_("Tapaaminen paikan päällä"),
    "phone": N_("Puhelu"),
    "online": N_("Verkkotapaaminen"),
}
TOPIC_MAX = 2000
BOOKABLE_UNTIL = timedelta(hours=2)  # a time starting sooner is no longer offered: the advisor could not prepare

# what the booking form says when it is refused
SLOT_MISSING = N_("Valitse aika.")
SLOT_TAKEN = N_("Joku ehti varata tämän ajan juuri ennen sinua. Valitse toinen vapaa aika.")
SLOT_GONE = N_("Aikaa ei ole enää varattavissa. Valitse toinen vapaa aika.")
TOPIC_MISSING = N_("Kerro lyhyesti, mistä haluat keskustella.")
PRIVACY_REQUIRED_FOR_BOOKING = N_("Hyväksy tietosuojaseloste, jotta voimme käsitellä varauksesi.")


@dataclass(frozen=True)
class BookingDraft:
    slot_id: str
    contact: dict[str, Any]
    organisation_name: str | None
    topic: str


def open_for_booking(status: str, starts_at: datetime, now: datetime) -> bool:
    """Not withdrawn and starting far enough ahead. Whether it is free is the compare-and-set's to decide (a
    slot read as booked may be free again by the time of the write, and the other way round)."""
    return status != "withdrawn" and starts_at - now >= BOOKABLE_UNTIL


def validate_booking(raw: Any, *, default_language: str = "fi") -> tuple[BookingDraft | None, FieldErrors]:
    errors: FieldErrors = {}
    body = Fields(raw, errors)
    slot_id = body.text("slot_id", max_length=100, missing=SLOT_MISSING)
    contact = read_contact(body, default_language=default_language)
    organisation_name = body.text("organisation_name", required=False)
    topic = body.text("topic", max_length=TOPIC_MAX, multiline=True, missing=TOPIC_MISSING)
    require_privacy_notice(body, errors, PRIVACY_REQUIRED_FOR_BOOKING)
    body.text("token", required=False, max_length=2000)  # the status link it came from: read by the page
    body.finish()
    if errors:
        return None, errors
    assert slot_id is not None and topic is not None
    return BookingDraft(slot_id, contact, organisation_name, topic), {}
