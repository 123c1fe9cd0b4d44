"""registration-received: the event's participant list in the staff workspace."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.bus import EventContext
from koonto.shared.contracts.intake import RegistrationReceived


async def on_registration_received(event: RegistrationReceived, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.trainings.record_registration(event)  # a redelivery finds it there and changes nothing
