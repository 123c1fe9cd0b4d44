"""The trainings' and forums' incoming events: a registration joins the event's participant list in the staff
workspace, and leaves it (cancelled) or moves from the queue to a seat (promoted) as intake says. The rows
below are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import RegistrationCancelled, RegistrationPromoted, RegistrationReceived


async def on_registration_received(event: RegistrationReceived, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.trainings.record_registration(event)  # a redelivery finds it there and changes nothing


async def on_registration_cancelled(event: RegistrationCancelled, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.trainings.record_registration_change(event)  # the seat is free; a redelivery changes nothing


async def on_registration_promoted(event: RegistrationPromoted, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.trainings.record_registration_change(event)  # from the waiting list to a seat


SUBSCRIPTIONS = [
    Subscription(RegistrationReceived, on_registration_received),  # an event's participant list
    Subscription(RegistrationCancelled, on_registration_cancelled),
    Subscription(RegistrationPromoted, on_registration_promoted),
]
