"""Subscriptions (double opt-in and per-topic consent), registrations, erasure."""

from __future__ import annotations

from koonto.notify.app import NotifyApp
from koonto.shared.bus import Delivery
from koonto.shared.contracts.intake import (
    ErasureRequested,
    RegistrationReceived,
    SubscriptionCancelled,
    SubscriptionConfirmed,
    SubscriptionRequested,
)


class EventNotKnownYet(RuntimeError):
    """The registration's event-scheduled has not reached us yet: retried with backoff."""


def on_subscription_requested(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: SubscriptionRequested = delivery.data
        context = {"email": data.email, "topic": data.topic, "confirm_url": data.confirm_url}
        await app.enqueue(
            [
                app.plan(
                    delivery.envelope,
                    kind="subscription-confirm",
                    channel="email",
                    address=data.email,
                    language=data.language,
                    name=None,
                    context=context,
                    recipient_ref=f"subscription:{data.subscription_id}",
                )
            ]
        )

    return handle


def on_subscription_confirmed(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: SubscriptionConfirmed = delivery.data
        await app.store.record_consent(
            data.email,
            topic=data.topic,
            consent=True,
            at=data.confirmed_at,
            source=data.source,
            language=data.language,
            municipality=data.municipality,
            unsubscribe_url=data.unsubscribe_url,
        )

    return handle


def on_subscription_cancelled(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: SubscriptionCancelled = delivery.data
        await app.store.record_consent(
            data.email, topic=data.topic, consent=False, at=data.cancelled_at, source=data.source
        )

    return handle


def on_registration_received(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: RegistrationReceived = delivery.data
        event = await app.store.scheduled_event(data.scheduled_event_id)
        if event is None:
            raise EventNotKnownYet(data.scheduled_event_id)
        p = data.participant
        await app.store.remember_registrant(
            data.registration_id,
            {
                "email": p.email.lower(),
                "phone": p.phone,
                "name": p.name,
                "language": p.language,
                "channel": p.channel,
                "scheduled_event_id": data.scheduled_event_id,
            },
        )
        context = {
            "name": p.name,
            "status": data.status,
            "position": data.position_on_waitlist,
            "scheduled_event_id": data.scheduled_event_id,
            "event_title": event["title"],
            "starts_at": event["starts_at"],
            "ends_at": event.get("ends_at"),
            "place": event.get("place"),
            "online_url": event.get("online_url"),
            "description": event.get("description", ""),
        }
        contact = {"email": p.email, "phone": p.phone, "channel": p.channel}
        await app.enqueue(
            [
                app.plan(
                    delivery.envelope,
                    kind="registration-confirmation",
                    channel=channel,
                    address=address,
                    language=p.language,
                    name=p.name,
                    context=context,
                    recipient_ref=f"registrant:{data.registration_id}",
                )
                for channel, address in app.contact_channels(contact, "registration-confirmation", always_email=True)
            ]
        )

    return handle


def on_erasure_requested(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: ErasureRequested = delivery.data
        await app.store.erase_person(data.email, data.phone, data.idea_ids)
        # the one confirmation; its own address is scrubbed as soon as it has been sent
        await app.enqueue(
            [
                app.plan(
                    delivery.envelope,
                    kind="erasure-confirmation",
                    channel="email",
                    address=data.email,
                    language=data.language,
                    name=None,
                    context={"requested_at": data.requested_at},
                    recipient_ref="erased",
                    erase_after_send=True,
                )
            ]
        )

    return handle
