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
    status: Literal["confirmed", "waitlisted"]
    position_on_waitlist: int | None = None


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
