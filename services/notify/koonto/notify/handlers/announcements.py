"""call-opened, call-closing-soon, event-scheduled: fan-outs to consenting subscribers, and reminders to the
associations whose case is preparing an application for that call.
The rows at the end are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.notify.bootstrap import NotifyContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import CallClosingSoon, CallOpened, EventScheduled

# what a registration confirmation needs to know about the event it is for
REMEMBERED = {"title", "kind", "starts_at", "ends_at", "place", "online_url", "municipality", "description",
              "what_to_bring"}


async def announce_call(ctx: EventContext, deps: NotifyContainer, name: str, **context: object) -> None:
    """The call-announcement fan-out; what an event does not say is left empty in the message."""
    empty = {"funder": "", "opens_on": None, "budget_eur": None, "url": None, "description": "", "days_left": None}
    await deps.fanout.start(
        ctx.envelope,
        kind="call-announcement",
        topic="call_announcements",
        title=name,
        context={"call_name": name, **empty, **context},
    )


async def on_call_opened(event: CallOpened, ctx: EventContext, deps: NotifyContainer) -> None:
    await announce_call(
        ctx, deps, event.name, funder=event.funder, opens_on=event.opens_on, closes_on=event.closes_on,
        budget_eur=event.budget_eur, url=event.url, description=event.description,
    )


async def on_call_closing_soon(event: CallClosingSoon, ctx: EventContext, deps: NotifyContainer) -> None:
    await announce_call(ctx, deps, event.name, closes_on=event.closes_on, days_left=event.days_left)
    docs = []
    for contact in await deps.store.recipients.contacts(list(event.preparing_idea_ids)):
        context = {
            "name": contact["name"],
            "reference": contact.get("reference", ""),
            "call_name": event.name,
            "closes_on": event.closes_on,
            "days_left": event.days_left,
            "status_url": contact.get("status_url", ""),
            "sms_link": contact.get("status_url", ""),
        }
        docs += deps.planner.plan_for_contact(
            ctx.envelope, contact, kind="call-reminder", context=context, recipient_ref=contact["_id"]
        )
    await deps.planner.enqueue(docs)


async def on_event_scheduled(event: EventScheduled, ctx: EventContext, deps: NotifyContainer) -> None:
    await deps.store.records.remember_scheduled_event(
        event.scheduled_event_id, {**event.model_dump(include=REMEMBERED), "region": ctx.region}
    )
    if event.updated:  # a change to an event already announced (more seats): nobody is invited again
        return
    await deps.fanout.start(
        ctx.envelope,
        kind="event-invitation",
        topic="events",
        title=event.title,
        municipality=event.municipality,
        online=bool(event.online_url),  # anyone can take part online: every subscriber is invited
        context={
            "event_title": event.title,
            "event_kind": event.kind,
            "starts_at": event.starts_at,
            "place": event.place,
            "online_url": event.online_url,
            "description": event.description,
            "register_url": f"{deps.settings.intake_public_url}/events/{event.scheduled_event_id}/register",
        },
    )


SUBSCRIPTIONS = [
    Subscription(CallOpened, on_call_opened),  # announcements and invitations (opt-in), as fan-outs
    Subscription(CallClosingSoon, on_call_closing_soon),
    Subscription(EventScheduled, on_event_scheduled),
]
