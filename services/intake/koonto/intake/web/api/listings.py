"""GET /api/v1/events and /api/v1/calls: what is coming up and what is open, for other sites to show."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from koonto.intake.web.deps import Deps
from koonto.intake.web.schemas import API_PREFIX, API_TAGS

router = APIRouter(prefix=API_PREFIX, tags=API_TAGS)


@router.get("/events", summary="Upcoming trainings and forums")
async def upcoming_events(deps: Deps) -> list[dict[str, Any]]:
    return [
        {"scheduled_event_id": e["_id"], "title": e["title"], "kind": e["kind"],
         "starts_at": e["starts_at"].isoformat(), "place": e.get("place"),
         "municipality": e.get("municipality"), "capacity": e["capacity"], "seats_left": e["seats_left"]}
        for e in await deps.views.upcoming_events()
    ]


@router.get("/calls", summary="Open funding calls")
async def open_calls(deps: Deps) -> list[dict[str, Any]]:
    return [
        {"call_id": c["_id"], "name": c["name"], "funder": c.get("funder"), "closes_on": c["closes_on"],
         "url": c.get("url")}
        for c in await deps.views.open_calls()
    ]
