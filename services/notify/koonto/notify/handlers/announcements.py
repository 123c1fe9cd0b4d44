"""call-opened, call-closing-soon, event-scheduled: fan-outs to consenting subscribers, and reminders to the
associations whose case is preparing an application for that call."""

from __future__ import annotations

from koonto.notify.app import NotifyApp
from koonto.shared.bus import Delivery
from koonto.shared.contracts.advisory import CallClosingSoon, CallOpened, EventScheduled


def on_call_opened(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: CallOpened = delivery.data
        await app.start_fanout(
            delivery.envelope,
            kind="call-announcement",
            topic="call_announcements",
            title=data.name,
            context={
                "call_name": data.name,
                "funder": data.funder,
                "opens_on": data.opens_on,
                "closes_on": data.closes_on,
                "budget_eur": data.budget_eur,
                "url": data.url,
                "description": data.description,
                "days_left": None,
            },
        )

    return handle


def on_call_closing_soon(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: CallClosingSoon = delivery.data
        await app.start_fanout(
            delivery.envelope,
            kind="call-announcement",
            topic="call_announcements",
            title=data.name,
            context={
                "call_name": data.name,
                "funder": "",
                "opens_on": None,
                "closes_on": data.closes_on,
                "budget_eur": None,
                "url": None,
                "description": "",
                "days_left": data.days_left,
            },
        )
        docs = []
        for contact in await app.store.contacts(list(data.preparing_idea_ids)):
            context = {
                "name": contact["name"],
                "reference": contact.get("reference", ""),
                "call_name": data.name,
                "closes_on": data.closes_on,
                "days_left": data.days_left,
                "status_url": contact.get("status_url", ""),
                "sms_link": contact.get("status_url", ""),
            }
            docs += [
                app.plan(
                    delivery.envelope,
                    kind="call-reminder",
                    channel=channel,
                    address=address,
                    language=contact.get("language", "fi"),
                    name=contact["name"],
                    context=context,
                    recipient_ref=contact["_id"],
                )
                for channel, address in app.contact_channels(contact, "call-reminder")
            ]
        await app.enqueue(docs)

    return handle


def on_event_scheduled(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: EventScheduled = delivery.data
        await app.store.remember_scheduled_event(
            data.scheduled_event_id,
            {
                "title": data.title,
                "kind": data.kind,
                "starts_at": data.starts_at,
                "ends_at": data.ends_at,
                "place": data.place,
                "online_url": data.online_url,
                "municipality": data.municipality,
                "description": data.description,
            },
        )
        await app.start_fanout(
            delivery.envelope,
            kind="event-invitation",
            topic="events",
            title=data.title,
            municipality=data.municipality,
            context={
                "event_title": data.title,
                "event_kind": data.kind,
                "starts_at": data.starts_at,
                "place": data.place,
                "online_url": data.online_url,
                "description": data.description,
                "register_url": f"{app.settings.intake_public_url}/events/{data.scheduled_event_id}/register",
            },
        )

    return handle
