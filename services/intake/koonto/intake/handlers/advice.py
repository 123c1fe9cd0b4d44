"""The advice times' incoming events: advisory's advice-slot-published / advice-slot-withdrawn, intake's copy of
the bookable times (the booking itself is decided here, on that copy). The rows below are this module's part of
`subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import AdviceSlotPublished, AdviceSlotWithdrawn


async def on_advice_slot_published(event: AdviceSlotPublished, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.bookings.keep_published(event)  # an upsert with $setOnInsert: a redelivery changes nothing


async def on_advice_slot_withdrawn(event: AdviceSlotWithdrawn, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.bookings.withdraw(event)  # guarded free -> withdrawn: a booking that came first stands


SUBSCRIPTIONS = [
    Subscription(AdviceSlotPublished, on_advice_slot_published),  # the public page of bookable advice times
    Subscription(AdviceSlotWithdrawn, on_advice_slot_withdrawn),
]
