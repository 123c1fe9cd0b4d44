"""Subscriptions (double opt-in and per-topic consent), registrations, erasure.
The rows at the end are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from typing import Any

from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.domain.errors import EventNotKnownYet, RegistrantNotKnownYet
from koonto.notify.use_cases.erasure import About
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import (
    ErasureRequested,
    RegistrationCancelled,
    RegistrationPromoted,
    RegistrationReceived,
    SubscriptionCancelled,
    SubscriptionConfirmed,
    SubscriptionRequested,
)
from koonto.shared.mongo import Document


async def on_subscription_requested(event: SubscriptionRequested, ctx: EventContext, deps: NotifyContainer) -> None:
    person = About(email=event.email, happened_at=event.requested_at)
    if await deps.erasure.covers(person):
        return  # erased after asking: no confirmation link goes to them
    # topics asked for together come as one event each with the same request id: keyed by it, the first of them
    # to arrive queues the one mail that lists them all (and its one link confirms them all)
    await deps.planner.enqueue_email(
        ctx.envelope,
        kind="subscription-confirm",
        address=event.email,
        language=event.language,
        context={"email": event.email, "topics": list(event.topics or (event.topic,)),
                 "confirm_url": event.confirm_url},
        recipient_ref=f"subscription:{event.request_id or event.subscription_id}",
        key=f"subscription-request:{event.request_id}" if event.request_id else None,
    )
    await deps.erasure.undo_if_covered(person)


async def on_subscription_confirmed(event: SubscriptionConfirmed, ctx: EventContext, deps: NotifyContainer) -> None:
    person = About(email=event.email, happened_at=event.confirmed_at)
    if await deps.erasure.covers(person):
        return
    await deps.store.recipients.record_consent(
        event.email,
        topic=event.topic,
        consent=True,
        at=event.confirmed_at,
        source=event.source,
        language=event.language,
        municipality=event.municipality,
        unsubscribe_url=event.unsubscribe_url,
        region=ctx.region,  # the region's fan-outs reach the address
        themes=event.themes,
    )
    await deps.erasure.undo_if_covered(person)


async def on_subscription_cancelled(event: SubscriptionCancelled, ctx: EventContext, deps: NotifyContainer) -> None:
    person = About(email=event.email, happened_at=event.cancelled_at)
    if await deps.erasure.covers(person):
        return  # nobody to mail anyway, and the directory keeps no trace of them
    await deps.store.recipients.record_consent(
        event.email, topic=event.topic, consent=False, at=event.cancelled_at, source=event.source
    )
    await deps.erasure.undo_if_covered(person)


async def _scheduled(deps: NotifyContainer, event_id: str) -> Document:
    scheduled = await deps.store.records.scheduled_event(event_id)
    if scheduled is None:
        raise EventNotKnownYet(event_id)
    return scheduled


def _registration_context(person: Document, scheduled: Document, event_id: str, **status: Any) -> Document:
    """What the registration mail and SMS show: the person's status, the event, and the cancel link."""
    return {
        "name": person["name"],
        "scheduled_event_id": event_id,
        "event_title": scheduled["title"],
        "starts_at": scheduled["starts_at"],
        "ends_at": scheduled.get("ends_at"),
        "place": scheduled.get("place"),
        "online_url": scheduled.get("online_url"),
        "description": scheduled.get("description", ""),
        "what_to_bring": scheduled.get("what_to_bring") or "",
        **status,
    }


async def on_registration_received(event: RegistrationReceived, ctx: EventContext, deps: NotifyContainer) -> None:
    scheduled = await _scheduled(deps, event.scheduled_event_id)
    p = event.participant
    erased = About(email=str(p.email), phone=p.phone, happened_at=event.received_at)
    if await deps.erasure.covers(erased):
        return  # erased before this reached us: no registrant kept, no confirmation
    person = {"email": p.email.lower(), "phone": p.phone, "name": p.name, "language": p.language, "channel": p.channel}
    await deps.store.recipients.remember_registrant(
        event.registration_id,
        {**person, "scheduled_event_id": event.scheduled_event_id, "cancel_url": event.cancel_url},
        status=event.status,
    )
    context = _registration_context(
        person, scheduled, event.scheduled_event_id, status=event.status, position=event.position_on_waitlist,
        cancel_url=event.cancel_url, promoted=False,
    )
    await deps.planner.enqueue_for_contact(
        ctx.envelope,
        {**person, "email": p.email},
        kind="registration-confirmation",
        context=context,
        recipient_ref=f"registrant:{event.registration_id}",
        always_email=True,
    )
    await deps.erasure.undo_if_covered(erased)


async def on_registration_promoted(event: RegistrationPromoted, ctx: EventContext, deps: NotifyContainer) -> None:
    """A seat freed: the registrant is told by mail (with the calendar file and the cancel link), and by SMS too
    when that is their channel, in their language."""
    scheduled = await _scheduled(deps, event.scheduled_event_id)
    registrant = await deps.store.recipients.registrant(event.registration_id)
    if registrant is None:
        raise RegistrantNotKnownYet(event.registration_id)
    await deps.store.recipients.mark_registrant(event.registration_id, "confirmed", event.cancel_url)
    context = _registration_context(
        registrant, scheduled, event.scheduled_event_id, status="confirmed", position=None,
        cancel_url=event.cancel_url, promoted=True,
    )
    await deps.planner.enqueue_for_contact(
        ctx.envelope,
        registrant,
        kind="registration-confirmation",
        context=context,
        recipient_ref=f"registrant:{event.registration_id}",
        always_email=True,
    )


async def on_registration_cancelled(event: RegistrationCancelled, ctx: EventContext, deps: NotifyContainer) -> None:
    """No reminder goes to a cancelled registration."""
    if not await deps.store.recipients.mark_registrant(event.registration_id, "cancelled"):
        raise RegistrantNotKnownYet(event.registration_id)


async def on_erasure_requested(event: ErasureRequested, ctx: EventContext, deps: NotifyContainer) -> None:
    """Remembers the erasure (a tombstone: events about the person that happened before it are not acted on),
    removes the person from the directory and scrubs their address from the delivery log (the dedupe key keeps
    only a hash); pending messages to them are cancelled. Then the one confirmation, whose own address is
    scrubbed as soon as it has been sent."""
    await deps.erasure.erase(event)
    await deps.planner.enqueue_email(
        ctx.envelope,
        kind="erasure-confirmation",
        address=event.email,
        language=event.language,
        context={"requested_at": event.requested_at},
        recipient_ref="erased",
        erase_after_send=True,
    )


SUBSCRIPTIONS = [
    Subscription(SubscriptionConfirmed, on_subscription_confirmed),  # the directory of recipients and their consent
    Subscription(SubscriptionCancelled, on_subscription_cancelled),
    Subscription(ErasureRequested, on_erasure_requested),  # the person leaves the directory
    Subscription(SubscriptionRequested, on_subscription_requested),  # service message: the confirmation link
    Subscription(RegistrationReceived, on_registration_received),  # service message: the registration receipt
    Subscription(RegistrationPromoted, on_registration_promoted),  # service message: a seat freed for them
    Subscription(RegistrationCancelled, on_registration_cancelled),  # no reminder to them
]
