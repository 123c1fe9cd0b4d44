"""Events produced by intake (the public front door)."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from koonto.shared.contracts.base import Contract, EventData
from koonto.shared.contracts.fields import (
    AdviceTime,
    Euros,
    Id,
    LanguageCode,
    LongText,
    Phone,
    Sealed,
    ShortText,
    UtcDatetime,
)

OrganisationType = Literal["registered_association", "informal_group", "foundation", "other"]
Channel = Literal["email", "sms"]
Topic = Literal["call_announcements", "newsletter", "events"]
AttachmentType = Literal[
    "application/pdf",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/jpeg",
    "image/png",
]


class Organisation(Contract):
    name: ShortText
    type: OrganisationType
    business_id: str | None = Field(default=None, pattern=r"^[0-9]{7}-[0-9]$")
    municipality: ShortText = Field(description="municipality code from the region file, or 'other'")
    municipality_other: ShortText | None = None


class Contact(Contract):
    name: ShortText | Sealed
    email: EmailStr | Sealed
    phone: Phone | Sealed | None = Field(default=None, description="E.164")
    language: LanguageCode = "fi"
    channel: Channel = "email"


class Consents(Contract):
    privacy_notice: bool
    call_announcements: bool = False
    newsletter: bool = False
    publication: bool = False
    partner_introductions: bool = Field(
        default=False,
        description="the association agrees to be introduced to other associations with similar ideas (its "
        "organisation, idea and contact shown to them)",
    )


# what a reader calls each kind (pages show this, never the media type)
ATTACHMENT_KINDS: dict[str, str] = {
    "application/pdf": "PDF",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}


class Attachment(Contract):
    """An attachment's metadata (the bytes stay in intake; staff download them from intake's staff endpoint)."""

    attachment_id: Id
    name: ShortText | Sealed = Field(
        description="the file name as given, made safe (no path, no control characters); personal: sealed, as a "
        "name may name a person"
    )
    type: AttachmentType = Field(description="the media type read from the file's content, never from its name")
    size: int = Field(ge=1, description="bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class IntakeEvent(EventData, producer="intake"):
    """An event intake produces."""


class IdeaEvent(IntakeEvent):
    """What every idea-* event starts with: the idea and its reference."""

    idea_id: Id
    reference: ShortText


class IdeaSubmitted(IdeaEvent, name="idea-submitted", summary="An association submitted a project idea."):
    submitted_at: UtcDatetime
    organisation: Organisation
    contact: Contact
    title: ShortText
    description: LongText
    themes: tuple[ShortText, ...] = ()
    target_groups: tuple[ShortText, ...] = ()
    estimated_budget_eur: Euros | None = None
    schedule: LongText | None = None
    consents: Consents
    status_url: str = Field(max_length=2000, description="signed, expiring link to the status page")
    attachments: tuple[Attachment, ...] = Field(
        default=(), description="the files sent with the idea: metadata only, never the bytes"
    )


class IdeaAmended(
    IdeaEvent, name="idea-amended", summary="The association added or corrected information through its status link."
):
    amended_at: UtcDatetime
    changed_fields: tuple[ShortText, ...]
    contact: Contact | None = None
    description: LongText | None = None
    partner_introductions: bool | None = Field(
        default=None, description="the consent to partner introductions given or withdrawn (absent: unchanged)"
    )


class RegistrationEvent(IntakeEvent):
    """What every registration-* event starts with: which sign-up, to which training or forum."""

    registration_id: Id
    scheduled_event_id: Id


class RegistrationReceived(
    RegistrationEvent,
    name="registration-received",
    summary="Someone signed up for a training or forum (confirmed or on the waiting list).",
):
    status: Literal["confirmed", "waitlisted"]
    received_at: UtcDatetime
    participant: Contact
    organisation_name: ShortText | None = None
    municipality: ShortText | None = None
    position_on_waitlist: int | None = Field(default=None, ge=1)
    cancel_url: str | None = Field(
        default=None,
        max_length=2000,
        description="signed link to the page where the registrant cancels (valid until the event starts)",
    )
    gender: ShortText | Sealed | None = Field(
        default=None, description="woman, man, other or not_told (asked for the ESF+ figures; optional)"
    )
    dietary_needs: ShortText | Sealed | None = Field(default=None, description="only when the event asks")
    accessibility_needs: ShortText | Sealed | None = Field(default=None, description="only when the event asks")
    on_participant_list: bool = Field(
        default=False,
        description="consented to a participant list shared with the other participants (only when the event has one)",
    )


class RegistrationCancelled(
    RegistrationEvent,
    name="registration-cancelled",
    summary="A registration was cancelled (by the registrant through the mailed link, or by staff); its seat "
    "or its place on the waiting list is free.",
):
    cancelled_at: UtcDatetime
    was: Literal["confirmed", "waitlisted"] = Field(description="the status the registration had")
    cancelled_by: Literal["registrant", "staff"]
    staff_id: Id | None = Field(default=None, description="who cancelled it, when staff did")


class RegistrationPromoted(
    RegistrationEvent,
    name="registration-promoted",
    summary="A seat freed up and the first on the waiting list got it: the registration is now confirmed.",
):
    promoted_at: UtcDatetime
    cancel_url: str | None = Field(default=None, max_length=2000, description="as in registration-received")


class AdviceBookingEvent(IntakeEvent):
    """What every advice-booking event starts with: the booking, the slot it holds, and the idea it is about."""

    booking_id: Id
    slot_id: Id
    idea_id: Id | None = Field(default=None, description="the idea of the status link it was booked from, if any")


class AdviceSessionBooked(
    AdviceBookingEvent,
    AdviceTime,
    name="advice-session-booked",
    summary="Someone booked a published advice time (hankeklinikka); the slot is theirs alone.",
):
    booked_at: UtcDatetime
    contact: Contact
    organisation_name: ShortText | None = None
    topic: LongText | Sealed = Field(description="what the person wants to discuss (personal: sealed)")
    manage_url: str = Field(max_length=2000, description="signed link to cancel or rebook the booking")
    rebooked_from: Id | None = Field(default=None, description="the booking this one replaces (a rebooking)")


class AdviceBookingCancelled(
    AdviceBookingEvent,
    name="advice-booking-cancelled",
    summary="A booked advice time was cancelled through the booking's link; the slot is free again.",
):
    cancelled_at: UtcDatetime
    starts_at: UtcDatetime
    advisor_id: Id
    rebooked_as: Id | None = Field(default=None, description="the booking that replaces it (a rebooking)")


class IdeaDraftSaved(
    IntakeEvent,
    name="idea-draft-saved",
    summary="Someone saved the idea form as a draft; notify mails them the resume link. Not an idea: advisory "
    "never sees a draft.",
):
    draft_id: Id
    saved_at: UtcDatetime
    email: EmailStr | Sealed
    language: LanguageCode = "fi"
    resume_url: str = Field(max_length=2000, description="signed link back to the draft (carries only its id)")
    expires_at: UtcDatetime = Field(description="when the draft and its attachments are deleted")


class SubscriptionEvent(IntakeEvent):
    """The fields every subscription-* event starts with: which subscription, to what, for which address."""

    subscription_id: Id
    topic: Topic
    email: EmailStr | Sealed


class SubscriberEvent(SubscriptionEvent):
    """A subscription request or confirmation: with the subscriber's language and municipality."""

    language: LanguageCode = "fi"
    municipality: ShortText | None = None
    themes: tuple[ShortText, ...] = Field(
        default=(),
        description="theme codes from the region file the subscriber chose for this topic; empty (or an older event "
        "without the field): every theme",
    )


class SubscriptionRequested(
    SubscriberEvent,
    name="subscription-requested",
    summary="Someone asked to subscribe to a topic; notify sends the confirmation link.",
):
    requested_at: UtcDatetime
    source: ShortText = Field(description="where the request came from, e.g. 'subscription-form', 'idea-form'")
    confirm_url: str = Field(max_length=2000)
    request_id: Id | None = Field(
        default=None,
        description="the one request (a form sent once) this topic was asked in; each topic of it has its own "
        "event, and all of them carry the same request_id, topics and confirm_url: one mail confirms them all",
    )
    topics: tuple[Topic, ...] = Field(
        default=(), description="every topic of that request, this one included (empty: this topic alone)"
    )


class SubscriptionConfirmed(
    SubscriberEvent,
    name="subscription-confirmed",
    summary="A subscription was confirmed through the double opt-in link.",
):
    confirmed_at: UtcDatetime
    source: ShortText
    unsubscribe_url: str = Field(max_length=2000)


class SubscriptionCancelled(
    SubscriptionEvent, name="subscription-cancelled", summary="A subscriber unsubscribed from a topic."
):
    cancelled_at: UtcDatetime
    source: ShortText = "unsubscribe-link"


class ErasureRequested(
    IntakeEvent, name="erasure-requested", summary="A person asked for their personal data to be erased (GDPR art. 17)."
):
    request_id: Id
    requested_at: UtcDatetime
    email: EmailStr | Sealed
    phone: Phone | Sealed | None = None
    language: LanguageCode = "fi"
    idea_ids: tuple[Id, ...] = ()
