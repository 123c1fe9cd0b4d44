"""Registrations' incoming events. Intake's own, consumed to move the waiting list: each cancellation and each
waiting sign-up gives the free seats to the first waiting (the request already tried; this is the try that
survives a crash between the cancellation's write and the promotion, and a redelivery changes nothing).
Staff's cancellation arrives as advisory's registration-cancel-requested; capacity raised by staff as
event-scheduled (handlers/scheduled_events.py). The rows below are this module's part of
`subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import RegistrationCancelRequested
from koonto.shared.contracts.intake import RegistrationCancelled, RegistrationReceived


async def on_registration_cancelled(event: RegistrationCancelled, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.registrations.fill_seats(event.scheduled_event_id)


async def on_registration_received(event: RegistrationReceived, ctx: EventContext, deps: IntakeContainer) -> None:
    if event.status == "waitlisted":  # a seat freed while this sign-up was being counted
        await deps.registrations.fill_seats(event.scheduled_event_id)


async def on_registration_cancel_requested(
    event: RegistrationCancelRequested, ctx: EventContext, deps: IntakeContainer
) -> None:
    """Staff cancelled on the event page: cancelled here like through the registrant's link (a redelivery finds
    it cancelled; once the event has started nothing changes, and the staff page still shows it)."""
    await deps.registrations.cancel(event.registration_id, staff_id=event.staff_id)


SUBSCRIPTIONS = [
    Subscription(RegistrationCancelRequested, on_registration_cancel_requested),  # staff's cancellation
    Subscription(RegistrationCancelled, on_registration_cancelled),  # our own: the waiting list moves
    Subscription(RegistrationReceived, on_registration_received),  # our own: a seat freed meanwhile is given
]
