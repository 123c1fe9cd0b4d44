"""The JSON API's request and response bodies, for /openapi.json and its readers.

The rules themselves live in `koonto.intake.domain` (hand-written so that every refusal is a message per field in
the asker's language); these models describe the same shapes for integrators and for schemathesis, and a test
(`tests/intake/unit/test_api_schemas.py`) keeps the two in step: a body built from every field here passes the
validator, and the validator knows no field that is not here.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from koonto.intake.domain.ideas import MAX_BUDGET_EUR, MAX_DESCRIPTION, MAX_SCHEDULE, MAX_TITLE

Language = Literal["fi", "sv", "en"]
MUNICIPALITY = "Municipality code from the region file (e.g. `kuopio`), or `other`"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Organisation(_Body):
    name: str = Field(max_length=200, examples=["Kyläyhdistys Toivala ry"])
    type: Literal["registered_association", "informal_group", "foundation", "other"]
    business_id: str | None = Field(
        None, max_length=20, description="Y-tunnus (1234567-1); required for a registered association, "
        "absent for an informal group", examples=["1572860-0"],
    )
    municipality: str = Field(max_length=100, description=MUNICIPALITY, examples=["kuopio"])
    municipality_other: str | None = Field(None, max_length=200, description="Required when municipality is other")


class Contact(_Body):
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, examples=["maija@example.fi"])
    phone: str | None = Field(
        None, max_length=40, description="Finnish style (040 123 4567) or international; stored as E.164. "
        "Required when channel is sms",
    )
    language: Language = "fi"
    channel: Literal["email", "sms"] = "email"


class IdeaConsents(_Body):
    privacy_notice: bool = Field(description="Must be true")
    call_announcements: bool = False
    newsletter: bool = False
    publication: bool = Field(False, description="The project may be shown on the public showcase once funded")
    partner_introductions: bool = Field(
        False, description="The association may be introduced to other associations with similar ideas"
    )


class IdeaRequest(_Body):
    organisation: Organisation
    contact: Contact
    title: str = Field(max_length=MAX_TITLE)
    description: str = Field(max_length=MAX_DESCRIPTION)
    themes: list[str] = Field(min_length=1, description="Theme codes from the region file (e.g. `village`)")
    target_groups: list[str] = Field(default_factory=list, max_length=10)
    estimated_budget_eur: int | None = Field(None, ge=0, le=MAX_BUDGET_EUR, description="Whole euros")
    schedule: str | None = Field(None, max_length=MAX_SCHEDULE)
    consents: IdeaConsents


class IdeaAccepted(BaseModel):
    reference: str = Field(examples=["KOO-2026-0042"])
    status_url: str = Field(description="The association's own status page (a signed link)")


class PrivacyConsent(_Body):
    privacy_notice: bool = Field(description="Must be true")


class RegistrationConsents(PrivacyConsent):
    participant_list: bool = Field(False, description="on the participant list shared with the other participants "
                                   "(kept only when the event has one)")


class RegistrationRequest(_Body):
    scheduled_event_id: str = Field(max_length=100)
    participant: Contact
    organisation_name: str | None = Field(None, max_length=200)
    municipality: str | None = Field(None, max_length=100, description=MUNICIPALITY)
    gender: Literal["woman", "man", "other", "not_told"] | None = Field(None, description="for the ESF+ figures")
    dietary_needs: str | None = Field(None, max_length=500, description="kept only when the event asks")
    accessibility_needs: str | None = Field(None, max_length=500, description="kept only when the event asks")
    consents: RegistrationConsents


class RegistrationAccepted(BaseModel):
    registration_id: str
    status: Literal["confirmed", "waitlisted"]
    position_on_waitlist: int | None = None


class BookingRequest(_Body):
    slot_id: str = Field(max_length=100, description="a free time from GET /api/v1/advice/slots")
    contact: Contact
    organisation_name: str | None = Field(None, max_length=200)
    topic: str = Field(max_length=2000, description="what the person wants to discuss")
    consents: PrivacyConsent
    token: str | None = Field(None, max_length=2000, description="the association's status link token, if any")


class AdviceSlot(BaseModel):
    slot_id: str
    starts_at: str
    ends_at: str
    kind: Literal["in_person", "phone", "online"]
    place: str | None = None
    advisor_name: str


class BookingAccepted(BaseModel):
    booking_id: str
    slot_id: str
    starts_at: str


class SlotTakenAnswer(BaseModel):
    detail: str
    free_slots: list[AdviceSlot]


class SubscriptionRequest(_Body):
    email: str = Field(max_length=254)
    topics: list[Literal["call_announcements", "newsletter", "events"]] = Field(min_length=1)
    themes: list[str] = Field(
        default_factory=list,
        description="Theme codes from the region file (e.g. `village`). None: every newsletter of the topics; some: "
        "a newsletter aimed at themes only when it shares one of them (one aimed at no theme always)",
    )
    language: Language = "fi"
    municipality: str | None = Field(None, max_length=100, description=MUNICIPALITY)
    consents: PrivacyConsent


class Refusal(BaseModel):
    detail: str
    errors: dict[str, str] = Field(default_factory=dict, description="A message per field (dotted path)")


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself: the model's schema, inlined."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inline_schema(model)}}}}


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with its `$defs` resolved in place (the route's schema stands alone)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


API_PREFIX = "/api/v1"
API_TAGS: list[str | Enum] = ["public API"]
UNPROCESSABLE: dict[int | str, dict[str, Any]] = {
    422: {"description": "Per-field messages in the request's language", "model": Refusal},
}
