"""Events produced by advisory (the staff workspace)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from koonto.shared.contracts.base import Contract, EventData
from koonto.shared.contracts.fields import (
    AdviceTime,
    Euros,
    HttpsUrl,
    Id,
    LanguageCode,
    LongText,
    Sealed,
    ShortText,
    UtcDatetime,
)

Stage = Literal[
    "idea",
    "sparring",
    "preparing",
    "submitted",
    "supplementing",
    "funded",
    "declined",
    "implementation",
    "closed",
    "withdrawn",
]
SessionKind = Literal["phone", "meeting", "video", "email", "workshop"]
ScheduledEventKind = Literal["training", "forum", "talk", "workshop", "networking"]
StaffRole = Literal["admin", "coordinator", "advisor", "funder"]
RegionCode = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9-]+$")]


class RegionRoles(Contract):
    """The roles a staff member holds in one region (a deployment may serve several)."""

    region: RegionCode
    roles: tuple[StaffRole, ...]


class CaseOrganisation(Contract):
    """The association behind a case; not personal data (no contact person here)."""

    name: ShortText
    type: ShortText
    business_id: str | None = None
    municipality: ShortText


class AdvisoryEvent(EventData, producer="advisory"):
    """An event advisory produces."""


class CaseEvent(AdvisoryEvent):
    """What case-opened and stage-changed start with: the case, the idea it came from, and its reference."""

    case_id: Id
    idea_id: Id
    reference: ShortText


class CaseOpened(CaseEvent, name="case-opened", summary="An idea became a case in the pipeline (stage 'idea')."):
    opened_at: UtcDatetime
    idea_submitted_at: UtcDatetime
    title: ShortText
    organisation: CaseOrganisation
    themes: tuple[ShortText, ...] = ()
    publication_consent: bool = False


class CaseAssigned(AdvisoryEvent, name="case-assigned", summary="An advisor took responsibility for a case."):
    case_id: Id
    reference: ShortText
    advisor_id: Id
    previous_advisor_id: Id | None = None
    assigned_by: Id
    assigned_at: UtcDatetime


class StageChanged(CaseEvent, name="stage-changed", summary="A case moved from one lifecycle stage to another."):
    from_stage: Stage
    to_stage: Stage
    reason: LongText | None = None
    changed_by: Id
    changed_at: UtcDatetime
    call_id: Id | None = None
    amount_applied_eur: Euros | None = None
    amount_granted_eur: Euros | None = None
    public_summary: LongText | None = None


class SessionLogged(AdvisoryEvent, name="session-logged", summary="An advice session (hankekonsultointi) was held."):
    session_id: Id
    case_id: Id
    idea_id: Id
    kind: SessionKind
    started_at: UtcDatetime
    duration_minutes: int = Field(ge=1, le=24 * 60)
    topics: tuple[ShortText, ...] = ()
    advisor_id: Id


class AssociationMessaged(
    AdvisoryEvent,
    name="association-messaged",
    summary="An advisor wrote to the association; notify delivers it in its language and channel.",
):
    message_id: Id
    case_id: Id
    idea_id: Id
    reference: ShortText
    advisor_id: Id
    advisor_name: ShortText
    body: LongText | Sealed
    sent_at: UtcDatetime


class IntroducedParty(Contract):
    """One of the two associations introduced: its case and idea (notify finds the contact by the idea)."""

    case_id: Id
    idea_id: Id
    reference: ShortText
    organisation_name: ShortText
    title: ShortText
    municipality: ShortText = Field(description="municipality code from the region file, or 'other'")


class AssociationsIntroduced(
    AdvisoryEvent,
    name="associations-introduced",
    summary="Staff introduced two associations with similar ideas to each other (both consented); notify sends "
    "each one the other's contact, in its own language.",
):
    introduction_id: Id
    introduced_at: UtcDatetime
    introduced_by: Id
    advisor_name: ShortText
    parties: tuple[IntroducedParty, IntroducedParty]
    shared_themes: tuple[ShortText, ...] = Field(default=(), description="theme codes both ideas have")
    shared_words: tuple[ShortText, ...] = Field(default=(), description="words both descriptions use")


class ResultsText(Contract):
    """A funded, closed project's public results in one language: what the association agreed to publish."""

    summary: Annotated[str, StringConstraints(min_length=1, max_length=5000)]
    outcomes: tuple[ShortText, ...] = Field(default=(), max_length=30, description="one result a line")
    photo_alt: ShortText | None = Field(default=None, description="what the photo shows, for who cannot see it")
    link_text: ShortText | None = Field(default=None, description="what the link leads to")


class ResultsEvent(AdvisoryEvent):
    """What project-results-published and -withdrawn start with. Public content only: no contact person."""

    case_id: Id
    idea_id: Id
    reference: ShortText


class ProjectResultsPublished(
    ResultsEvent,
    name="project-results-published",
    summary="Staff published a funded, closed project's results with the association's consent; reporting shows "
    "them on the public showcase (a later publication replaces an earlier one).",
):
    published_at: UtcDatetime
    published_by: Id
    consent_recorded_at: UtcDatetime = Field(description="when staff recorded the association's consent")
    fi: ResultsText
    sv: ResultsText | None = None
    en: ResultsText | None = None
    photo_url: HttpsUrl | None = None
    link_url: HttpsUrl | None = None


class ProjectResultsWithdrawn(
    ResultsEvent,
    name="project-results-withdrawn",
    summary="A project's published results leave the public showcase (staff withdrew them, the association "
    "withdrew its consent, or the contact person's data was erased).",
):
    withdrawn_at: UtcDatetime
    withdrawn_by: Id
    cause: Literal["staff", "erasure"] = "staff"


class FollowupDue(AdvisoryEvent, name="followup-due", summary="A reminder or a service-level deadline fell due."):
    followup_id: Id
    case_id: Id
    reference: ShortText
    kind: Literal["first-contact-sla", "followup"]
    due_on: dt.date
    recipient_staff_ids: tuple[Id, ...]
    note: LongText | None = None


class CallEvent(AdvisoryEvent):
    """What every call-* event starts with: which funding call, by its name."""

    call_id: Id
    name: ShortText


class CallOpened(CallEvent, name="call-opened", summary="A funding call (hakuaika) opened."):
    funder: ShortText
    opens_on: dt.date
    closes_on: dt.date
    budget_eur: Euros | None = None
    url: str | None = Field(default=None, max_length=2000)
    description: LongText = ""


class CallClosingSoon(
    CallEvent, name="call-closing-soon", summary="A funding call nears its deadline (14 and 3 days before)."
):
    closes_on: dt.date
    days_left: int = Field(ge=0)
    preparing_case_ids: tuple[Id, ...] = ()
    preparing_idea_ids: tuple[Id, ...] = ()


class CallClosed(CallEvent, name="call-closed", summary="A funding call closed."):
    closed_on: dt.date


class EventScheduled(AdvisoryEvent, name="event-scheduled", summary="A training or forum was announced."):
    scheduled_event_id: Id
    title: ShortText
    kind: ScheduledEventKind
    starts_at: UtcDatetime
    ends_at: UtcDatetime | None = None
    place: ShortText | None = None
    online_url: str | None = Field(default=None, max_length=2000)
    capacity: int = Field(ge=1, le=100_000)
    municipality: ShortText | None = Field(default=None, description="None = the whole region")
    description: LongText = ""
    what_to_bring: LongText = Field(default="", description="told in the confirmation and the reminder")
    asks_dietary_needs: bool = Field(default=False, description="the registration form asks (food is served)")
    asks_accessibility_needs: bool = Field(default=False, description="the registration form asks")
    participant_list: bool = Field(
        default=False, description="a participant list is shared with the participants: the form asks consent"
    )
    updated: bool = Field(
        default=False,
        description="False: the first announcement; True: staff changed an event already announced (e.g. raised "
        "its capacity): the copies are updated, the subscribers are not invited again",
    )


class RegistrationCancelRequested(
    AdvisoryEvent,
    name="registration-cancel-requested",
    summary="Staff cancelled a registration on the event page; intake, which holds the seats, cancels it "
    "(registration-cancelled) unless the event has started.",
):
    registration_id: Id
    scheduled_event_id: Id
    requested_at: UtcDatetime
    staff_id: Id


class AdviceSlotEvent(AdvisoryEvent):
    """What every advice-slot-* event starts with: which bookable time (hankeklinikka)."""

    slot_id: Id


class AdviceSlotPublished(
    AdviceSlotEvent,
    AdviceTime,
    name="advice-slot-published",
    summary="An advisor published a free advice session time the public can book (hankeklinikka).",
):
    published_at: UtcDatetime


class AdviceSlotWithdrawn(
    AdviceSlotEvent,
    name="advice-slot-withdrawn",
    summary="An advisor withdrew a published advice time nobody had booked.",
):
    withdrawn_at: UtcDatetime
    withdrawn_by: Id


class AttendanceRecorded(
    AdvisoryEvent, name="attendance-recorded", summary="A training or forum was held, with participant counts."
):
    scheduled_event_id: Id
    kind: ScheduledEventKind
    held_on: dt.date
    municipality: ShortText | None = None
    participants_total: int = Field(ge=0)
    women: int = Field(ge=0, default=0)
    men: int = Field(ge=0, default=0)
    other: int = Field(ge=0, default=0)
    not_told: int = Field(ge=0, default=0)
    organisations: tuple[ShortText, ...] = ()
    checked_in: int | None = Field(
        default=None,
        ge=0,
        description="how many were ticked on the check-in list (the counts above are derived from it); None: "
        "counts typed in for an event without registration",
    )


class StaffUpdated(
    AdvisoryEvent,
    name="staff-updated",
    summary=(
        "A staff account was created or changed; notify keeps staff recipients from it, every service its "
        "directory of active accounts, roles and token generations."
    ),
):
    staff_id: Id
    email: EmailStr
    display_name: ShortText
    language: LanguageCode = "fi"
    roles: tuple[StaffRole, ...]
    active: bool = True
    updated_at: UtcDatetime
    # the roles per region on a deployment of several regions; empty: `roles` hold in the deployment's home
    # region. "admin" in `roles` is global.
    region_roles: tuple[RegionRoles, ...] = ()
    # bumped by a deactivation, a role change and a password change; tokens carry it as the `gen` claim and
    # every service refuses a token older than the account's generation (koonto.shared.staff_directory)
    token_generation: int = Field(default=0, ge=0)


class StaffPasswordLinkIssued(
    AdvisoryEvent,
    name="staff-password-link-issued",
    summary=(
        "A staff member is sent a one-time link to set their own password: the invitation of a new account, or a "
        "password reset they asked for. Notify mails it; the link is single use and expires."
    ),
):
    staff_id: Id
    email: EmailStr
    display_name: ShortText
    language: LanguageCode = "fi"
    purpose: Literal["invitation", "reset"]
    # the link holds a random secret (advisory keeps only its SHA-256): used once, refused after `expires_at`
    url: str = Field(min_length=1, max_length=2000)
    expires_at: UtcDatetime
