"""Advice bookings (hankeklinikka): intake's advice-session-booked and advice-booking-cancelled. The confirmation
with its .ics and the signed cancel/rebook link goes at once; the reminder is queued for the day before (out of
the quiet hours), by e-mail and also by SMS when the booker chose SMS and gave a phone (short, pointing to the
mail, as a registration reminder), keyed by the booking so it is queued once per channel, and cancelled with
the booking. The rows at the end
are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from typing import Any

from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.domain.quiet_hours import reminder_due
from koonto.notify.use_cases.erasure import About
from koonto.notify.use_cases.planning import contact_channels
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked

REMINDER = "advice-session-reminder"
CONFIRMATION = "advice-booking-confirmation"


def _ref(booking_id: str) -> str:
    return f"advice-booking:{booking_id}"


async def on_advice_session_booked(event: AdviceSessionBooked, ctx: EventContext, deps: NotifyContainer) -> None:
    contact = event.contact
    person = About(email=str(contact.email), phone=contact.phone, happened_at=event.booked_at)
    if await deps.erasure.covers(person):
        return  # erased before this reached us: nothing goes to them
    context = {
        "name": contact.name, "booking_id": event.booking_id, "starts_at": event.starts_at, "ends_at": event.ends_at,
        "kind": event.kind, "place": event.place, "online_url": event.online_url, "phone": contact.phone,
        "advisor_name": event.advisor_name, "manage_url": event.manage_url,
    }
    mail: dict[str, Any] = {"address": str(contact.email), "language": contact.language, "context": context,
            "recipient_ref": _ref(event.booking_id), "name": contact.name}
    await deps.planner.enqueue_email(ctx.envelope, kind=CONFIRMATION, **mail)
    settings = deps.settings
    due = reminder_due(event.starts_at, deps.now(), settings.quiet_start_hour, settings.quiet_end_hour)
    if due is not None:  # by e-mail, and also by SMS when that is the booker's channel (as registration reminders)
        await deps.planner.enqueue([
            deps.planner.plan(ctx.envelope, kind=REMINDER, channel=channel, address=address, language=contact.language,
                              name=contact.name, context=context, recipient_ref=_ref(event.booking_id),
                              key=f"advice-reminder:{event.booking_id}", due=due)
            for channel, address in contact_channels(contact.model_dump(mode="json"), REMINDER, always_email=True)
        ])
    await deps.erasure.undo_if_covered(person)


async def on_advice_booking_cancelled(event: AdviceBookingCancelled, ctx: EventContext, deps: NotifyContainer) -> None:
    """The reminder no longer goes; the person gets the cancellation confirmed, at the address and in the language
    of the booking's confirmation (the event carries no contact). A rebooking's new confirmation says it all, and
    an erased person's confirmation has no address left: no mail then."""
    ref = _ref(event.booking_id)
    await deps.store.deliveries.cancel_pending(ref, REMINDER, "booking-cancelled")
    confirmed = await deps.store.deliveries.newest({"recipient_ref": ref, "kind": CONFIRMATION}, limit=1)
    if event.rebooked_as or not confirmed or confirmed[0].get("erased"):
        return
    sent = confirmed[0]
    book_url = str(sent["context"].get("manage_url", "")).split("/advice/booking/")[0] + "/advice"
    await deps.planner.enqueue_email(
        ctx.envelope, kind="advice-booking-cancelled", address=sent["address"], language=sent["language"],
        context={"starts_at": event.starts_at, "book_url": book_url}, recipient_ref=ref,
        name=sent.get("recipient_name") or None,
    )


SUBSCRIPTIONS = [
    Subscription(AdviceSessionBooked, on_advice_session_booked),  # service message: confirmation, then reminder
    Subscription(AdviceBookingCancelled, on_advice_booking_cancelled),  # no reminder; the cancellation confirmed
]
