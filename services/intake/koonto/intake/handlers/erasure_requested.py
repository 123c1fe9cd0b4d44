"""intake's own erasure-requested: after the request's first write, every other copy of the person goes too.

The status-link request anonymises that idea in the same write that records the event; this handler then
anonymises the person's other ideas, registrations and subscriptions. It is idempotent, so redelivery is safe.
"""

from __future__ import annotations

from koonto.intake.store import IntakeStore
from koonto.shared.bus import Delivery
from koonto.shared.contracts.intake import ErasureRequested


async def handle(store: IntakeStore, delivery: Delivery) -> None:
    data: ErasureRequested = delivery.data
    await store.erase_person(str(data.email), data.phone, data.idea_ids, data.request_id)
