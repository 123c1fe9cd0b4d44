"""The trainings' and forums' incoming events: advisory's event-scheduled / attendance-recorded, the public list
of upcoming ones. The rows below are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.clock import as_utc
from koonto.shared.contracts.advisory import AttendanceRecorded, EventScheduled


async def on_event_scheduled(event: EventScheduled, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.store.schedule_event({
        "scheduled_event_id": event.scheduled_event_id, "title": event.title, "kind": event.kind,
        "starts_at": as_utc(event.starts_at), "ends_at": as_utc(event.ends_at) if event.ends_at else None,
        "place": event.place, "online_url": event.online_url, "capacity": event.capacity,
        "municipality": event.municipality, "description": event.description, "region": ctx.envelope.region,
        "what_to_bring": event.what_to_bring, "asks_dietary_needs": event.asks_dietary_needs,
        "asks_accessibility_needs": event.asks_accessibility_needs, "participant_list": event.participant_list,
    })
    await deps.registrations.fill_seats(event.scheduled_event_id)  # more seats: the first waiting get them


async def on_attendance_recorded(event: AttendanceRecorded, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.store.mark_event_held(event.scheduled_event_id, event.held_on)


SUBSCRIPTIONS = [
    Subscription(EventScheduled, on_event_scheduled),  # public list of trainings and forums
    Subscription(AttendanceRecorded, on_attendance_recorded),  # held: no longer upcoming
]
