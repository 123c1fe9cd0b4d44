"""Advice bookings (hankeklinikka): intake's advice-session-booked and advice-booking-cancelled, onto the advisors'
list of bookings and the case of the idea. The rows at the end are this module's part of
`subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked


async def on_advice_session_booked(event: AdviceSessionBooked, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.slots.record_booking(event)  # keyed by the booking id: a redelivery writes the same again


async def on_advice_booking_cancelled(
    event: AdviceBookingCancelled, ctx: EventContext, deps: AdvisoryContainer
) -> None:
    await deps.slots.cancel_booking(event)


SUBSCRIPTIONS = [
    Subscription(AdviceSessionBooked, on_advice_session_booked),  # the advisors' list of bookings, the case
    Subscription(AdviceBookingCancelled, on_advice_booking_cancelled),  # the slot free again
]
