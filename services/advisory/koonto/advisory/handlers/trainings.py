"""The trainings' and forums' incoming events: a registration joins the event's participant list in the staff
workspace. The row below is this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import RegistrationReceived


async def on_registration_received(event: RegistrationReceived, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.trainings.record_registration(event)  # a redelivery finds it there and changes nothing


SUBSCRIPTIONS = [
    Subscription(RegistrationReceived, on_registration_received),  # an event's participant list
]
