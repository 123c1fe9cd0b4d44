"""Intake's own registration events, consumed to move the waiting list: each cancellation and each waiting
sign-up gives the free seats to the first waiting (the request already tried; this is the try that survives a
crash between the cancellation's write and the promotion, and a redelivery of it changes nothing). Capacity
raised by staff arrives as event-scheduled (handlers/scheduled_events.py). The rows below are this module's
part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import RegistrationCancelled, RegistrationReceived


async def on_registration_cancelled(event: RegistrationCancelled, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.registrations.fill_seats(event.scheduled_event_id)


async def on_registration_received(event: RegistrationReceived, ctx: EventContext, deps: IntakeContainer) -> None:
    if event.status == "waitlisted":  # a seat freed while this sign-up was being counted
        await deps.registrations.fill_seats(event.scheduled_event_id)


SUBSCRIPTIONS = [
    Subscription(RegistrationCancelled, on_registration_cancelled),  # our own: the waiting list moves
    Subscription(RegistrationReceived, on_registration_received),  # our own: a seat freed meanwhile is given
]
