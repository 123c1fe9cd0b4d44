"""advisory's event-scheduled / attendance-recorded: the public list of upcoming trainings and forums."""

from __future__ import annotations

from koonto.intake.store import IntakeStore
from koonto.shared.bus import Delivery
from koonto.shared.clock import as_utc
from koonto.shared.contracts.advisory import AttendanceRecorded, EventScheduled


async def scheduled(store: IntakeStore, delivery: Delivery) -> None:
    data: EventScheduled = delivery.data
    await store.schedule_event({
        "scheduled_event_id": data.scheduled_event_id, "title": data.title, "kind": data.kind,
        "starts_at": as_utc(data.starts_at), "ends_at": as_utc(data.ends_at) if data.ends_at else None,
        "place": data.place, "online_url": data.online_url, "capacity": data.capacity,
        "municipality": data.municipality, "description": data.description, "region": delivery.envelope.region,
    })


async def attendance(store: IntakeStore, delivery: Delivery) -> None:
    data: AttendanceRecorded = delivery.data
    await store.mark_event_held(data.scheduled_event_id, data.held_on)
