"""Projecting the stream into the read models: one function per consumed event (take the non-personal fields,
ask the domain, write), the `HANDLERS` table of them, and `apply_event`, which dispatches by type.

`apply_event` is what both the live consumers (into the active generation, `handlers.live`) and the replay
(into a new one, `koonto.reporting.replay`) call.

Events about a case (sessions, stage changes) need the case's municipality, which idea-submitted or
case-opened brings. Each event type has its own consumer, so a session can arrive first (always so when a new
deployment works through a backlog). Such an event is *parked* (kept, without its free-text `reason`, keyed by
its id) and applied as soon as its idea or case arrives; parking re-checks after writing, so an idea that lands
in between is never missed, and applying twice is harmless because every write is idempotent.

Regions: an event of a region other than the deployment's home region (its envelope's `region`) writes keys
that carry its region (`domain.model.scoped`: the municipality and organisation keys of its case, its region-wide
counters), so every figure can be read per region, and the home region's keys stay as they were before regions.
`apply_event` is told the home region (`home`; None: every event is the home region's).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from koonto.reporting.domain import model
from koonto.reporting.privacy import (
    AssociationMessagedForReporting,
    ErasureRequestedForReporting,
    IdeaSubmittedForReporting,
)
from koonto.reporting.store.read_models import ReadModels
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.contracts.advisory import (
    AssociationMessaged,
    AttendanceRecorded,
    CallClosed,
    CallOpened,
    CaseOpened,
    ProjectResultsPublished,
    ProjectResultsWithdrawn,
    SessionLogged,
    StageChanged,
)
from koonto.shared.contracts.intake import ErasureRequested, IdeaSubmitted
from koonto.shared.contracts.notify import NotificationFailed, NotificationSent

Apply = Callable[[ReadModels, Envelope, Any], Awaitable[None]]
_home: ContextVar[str | None] = ContextVar("koonto_reporting_home_region", default=None)


def region_scope(envelope: Envelope) -> str | None:
    """The region an event's keys carry: None for the home region's events (`domain.model.scoped`)."""
    home = _home.get()
    return None if home is None or envelope.region == home else envelope.region


async def project_idea_submitted(models: ReadModels, envelope: Envelope, event: IdeaSubmitted) -> None:
    org = event.organisation  # event.contact is personal data and is never read here
    region = region_scope(envelope)
    municipality = model.scoped(org.municipality, region)
    await models.record_idea(
        event.idea_id, submitted_at=event.submitted_at, municipality=municipality, themes=event.themes,
        org_key=model.scoped(model.organisation_key(org.name, org.business_id), region), org_type=org.type,
        title=event.title,
        publication=event.consents.publication,
        organisation_name=org.name if event.consents.publication else None, reference=event.reference,
    )
    increments = model.idea_increments(event.submitted_at, municipality, event.themes)
    await models.apply(envelope.id, envelope.type, increments)


async def project_case_opened(models: ReadModels, envelope: Envelope, event: CaseOpened) -> None:
    org = event.organisation
    region = region_scope(envelope)
    municipality = model.scoped(org.municipality, region)
    await models.record_idea(
        event.idea_id, submitted_at=event.idea_submitted_at, municipality=municipality, themes=event.themes,
        org_key=model.scoped(model.organisation_key(org.name, org.business_id), region), org_type=org.type,
        title=event.title,
        publication=event.publication_consent,
        organisation_name=org.name if event.publication_consent else None, case_id=event.case_id,
        reference=event.reference,
    )
    await models.record_case_opened(event.idea_id, event.opened_at)
    await models.apply(envelope.id, envelope.type, model.case_opened_increments(event.opened_at, municipality))


async def _identity(models: ReadModels, idea_id: str) -> Any:
    identity = await models.case_identity(idea_id)
    if identity is None:
        raise model.CaseNotYetKnown(idea_id)
    return identity


async def project_stage_changed(models: ReadModels, envelope: Envelope, event: StageChanged) -> None:
    await models.record_stage(
        event.idea_id, case_id=event.case_id, to_stage=event.to_stage, at=event.changed_at, call_id=event.call_id,
        public_summary=event.public_summary, amount_granted_eur=event.amount_granted_eur,
    )
    if event.to_stage in model.FIRST_CONTACT_STAGES:
        await models.record_first_contact(event.idea_id, event.changed_at)
    identity = await _identity(models, event.idea_id)
    await models.apply(envelope.id, envelope.type, model.stage_increments(event, identity.municipality))


async def project_session_logged(models: ReadModels, envelope: Envelope, event: SessionLogged) -> None:
    await models.record_first_contact(event.idea_id, event.started_at)
    identity = await _identity(models, event.idea_id)
    await models.apply(
        envelope.id, envelope.type, model.session_increments(event, identity.municipality, identity.org_key)
    )
    await models.record_advised(identity.org_key, identity.municipality, model.day_of(event.started_at))


async def project_association_messaged(models: ReadModels, envelope: Envelope, event: AssociationMessaged) -> None:
    await models.record_first_contact(event.idea_id, event.sent_at)  # the message body and names stay out


async def project_call_opened(models: ReadModels, envelope: Envelope, event: CallOpened) -> None:
    await models.record_call(
        event.call_id, name=event.name, funder=event.funder, opens_on=event.opens_on, closes_on=event.closes_on
    )


async def project_call_closed(models: ReadModels, envelope: Envelope, event: CallClosed) -> None:
    await models.record_call_closed(event.call_id, name=event.name, closed_on=event.closed_on)


async def project_attendance_recorded(models: ReadModels, envelope: Envelope, event: AttendanceRecorded) -> None:
    await models.apply(envelope.id, envelope.type, model.attendance_increments(event, region_scope(envelope)))


async def project_notification(
    models: ReadModels, envelope: Envelope, event: NotificationSent | NotificationFailed
) -> None:
    await models.apply(envelope.id, envelope.type, model.notification_increments(event, region_scope(envelope)))


async def project_results_published(models: ReadModels, envelope: Envelope, event: ProjectResultsPublished) -> None:
    results = event.model_dump(mode="json", include={"fi", "sv", "en", "photo_url", "link_url"})
    await models.record_results(event.idea_id, case_id=event.case_id, at=event.published_at, results=results)


async def project_results_withdrawn(models: ReadModels, envelope: Envelope, event: ProjectResultsWithdrawn) -> None:
    await models.record_results(event.idea_id, case_id=event.case_id, at=event.withdrawn_at, results=None)


async def project_erasure_requested(models: ReadModels, envelope: Envelope, event: ErasureRequested) -> None:
    await models.erase(event.idea_ids)  # the email and phone of the request are never read


HANDLERS: dict[type[EventData], Apply] = {
    IdeaSubmitted: project_idea_submitted,
    ErasureRequested: project_erasure_requested,
    CaseOpened: project_case_opened,
    StageChanged: project_stage_changed,
    SessionLogged: project_session_logged,
    AssociationMessaged: project_association_messaged,
    CallOpened: project_call_opened,
    CallClosed: project_call_closed,
    ProjectResultsPublished: project_results_published,
    ProjectResultsWithdrawn: project_results_withdrawn,
    AttendanceRecorded: project_attendance_recorded,
    NotificationSent: project_notification,
    NotificationFailed: project_notification,
}
# what reporting decodes an event with: the contract, or its lenient twin when a redacted dead letter must still
# decode (see koonto.reporting.privacy)
READ_AS: dict[type[EventData], type[EventData]] = {
    IdeaSubmitted: IdeaSubmittedForReporting,
    ErasureRequested: ErasureRequestedForReporting,
    AssociationMessaged: AssociationMessagedForReporting,
}
BY_TYPE: dict[str, tuple[type[EventData], Apply]] = {
    m.event_type(): (READ_AS.get(m, m), h) for m, h in HANDLERS.items()
}


PARKED_FIELDS_LEFT_OUT = ("reason",)  # free text by staff; reporting never needs it


async def apply_event(
    models: ReadModels, envelope: Envelope, data: EventData | None = None, *, home: str | None = None
) -> bool:
    """Apply one event of the stream; returns False for an event type reporting does not consume. `home`: the
    deployment's home region (see the module's docstring)."""
    token = _home.set(home)
    try:
        return await _apply_event(models, envelope, data)
    finally:
        _home.reset(token)


async def _apply_event(models: ReadModels, envelope: Envelope, data: EventData | None) -> bool:
    entry = BY_TYPE.get(envelope.type)
    if entry is None:
        return False
    event_model, handler = entry
    event = data if data is not None else event_model.read(envelope.data)  # the tolerant reader
    try:
        await handler(models, envelope, event)
    except model.CaseNotYetKnown as unknown:
        await _park(models, envelope, str(unknown.args[0]))
        return True
    if isinstance(event, IdeaSubmitted | CaseOpened):
        await _release_parked(models, event.idea_id)
    return True


async def _park(models: ReadModels, envelope: Envelope, idea_id: str) -> None:
    kept = {k: v for k, v in envelope.data.items() if k not in PARKED_FIELDS_LEFT_OUT}
    await models.park(envelope.id, idea_id, envelope.model_copy(update={"data": kept}).model_dump_json())
    if await models.case_identity(idea_id) is not None:  # the idea landed while this event was being parked
        await _release_parked(models, idea_id)


async def _release_parked(models: ReadModels, idea_id: str) -> None:
    for body in await models.parked_for(idea_id):
        envelope = Envelope.read_json(body)
        event_model, handler = BY_TYPE[envelope.type]
        await handler(models, envelope, event_model.read(envelope.data))
        await models.unpark(envelope.id)
