"""A person's incoming events: intake's own erasure-requested; after the request's first write, every other copy
of the person goes too.

The status-link request anonymises that idea in the same write that records the event; this handler then
anonymises the person's other ideas, registrations and subscriptions. It is idempotent, so redelivery is safe.
The row below is this module's part of `subscriptions.SUBSCRIPTIONS`.
"""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import ErasureRequested


async def on_erasure_requested(event: ErasureRequested, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.status.erase_person(event)


SUBSCRIPTIONS = [
    Subscription(ErasureRequested, on_erasure_requested),  # our own: erase the other copies
]
