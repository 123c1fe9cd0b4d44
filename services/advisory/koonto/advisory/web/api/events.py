"""Trainings and forums: list, schedule, one event, who signed up, and the attendance afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.web.api.common import Body
from koonto.advisory.web.deps import ApiWork
from koonto.advisory.web.serialize import plain

router = APIRouter(tags=["advisory"])
EVENT_ID = "scheduled_event_id"


class EventIn(Body):
    title: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=20)
    starts_at: datetime
    ends_at: datetime | None = None
    place: str | None = Field(default=None, max_length=200)
    online_url: str | None = Field(default=None, max_length=2000)
    capacity: int = Field(ge=1, le=100_000)
    municipality: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", max_length=20_000)
    what_to_bring: str = Field(default="", max_length=20_000)
    asks_dietary_needs: bool = False
    asks_accessibility_needs: bool = False
    participant_list: bool = Field(default=False, description="a participant list is shared: the form asks consent")
    region: str | None = Field(default=None, max_length=50, description="one of the caller's regions")


class AttendanceIn(Body):
    participants_total: int = Field(ge=0, le=100_000)
    women: int = Field(default=0, ge=0, le=100_000)
    men: int = Field(default=0, ge=0, le=100_000)
    other: int = Field(default=0, ge=0, le=100_000)
    not_told: int | None = Field(default=None, ge=0, le=100_000)
    organisations: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=500)


@router.get("/api/v1/events", summary="Trainings and forums")
async def list_events(advisory: Deps, principal: ApiWork) -> list[dict[str, Any]]:
    return [plain(e, EVENT_ID) for e in await advisory.views.scheduled_events()]


@router.post("/api/v1/events", summary="Schedule a training or forum", status_code=201)
async def schedule_event(body: EventIn, advisory: Deps, principal: ApiWork) -> Any:
    return plain(await advisory.trainings.schedule_event(Actor.of(principal), **body.model_dump()), EVENT_ID)


@router.get("/api/v1/events/{event_id}", summary="One training or forum")
async def get_event(event_id: str, advisory: Deps, principal: ApiWork) -> Any:
    return plain(await advisory.views.scheduled_event(event_id), EVENT_ID)


@router.get("/api/v1/events/{event_id}/registrations", summary="Who signed up (confirmed, then waiting list)")
async def event_registrations(event_id: str, advisory: Deps, principal: ApiWork) -> Any:
    await advisory.views.scheduled_event(event_id)  # 404 for an unknown event
    return [plain(r, "registration_id") for r in await advisory.views.registrations(event_id)]


@router.post("/api/v1/events/{event_id}/attendance", summary="Record attendance")
async def attendance(event_id: str, body: AttendanceIn, advisory: Deps, principal: ApiWork) -> Any:
    doc = await advisory.trainings.record_attendance(Actor.of(principal), event_id, **body.model_dump())
    return plain(doc, EVENT_ID)
