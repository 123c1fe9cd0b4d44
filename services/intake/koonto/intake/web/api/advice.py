"""GET /api/v1/advice/slots and POST /api/v1/advice/bookings: the free advice times (hankeklinikka) and booking one.

A time already taken answers 409 with the other free times, so a client can offer them at once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from koonto.intake.domain.bookings import SLOT_GONE, SLOT_TAKEN, validate_booking
from koonto.intake.domain.errors import SlotNotOpen, SlotTaken
from koonto.intake.domain.messages import Message
from koonto.intake.web.deps import Deps, RateLimit, read_json
from koonto.intake.web.errors import invalid
from koonto.intake.web.schemas import (
    API_PREFIX,
    API_TAGS,
    UNPROCESSABLE,
    AdviceSlot,
    BookingAccepted,
    BookingRequest,
    SlotTakenAnswer,
    request_body,
)
from koonto.shared.i18n import current_language
from koonto.shared.mongo import Document
from koonto.shared.web import OrjsonResponse

router = APIRouter(prefix=API_PREFIX, tags=API_TAGS)


def public_slot(slot: Document) -> dict[str, Any]:
    """A free time as anyone may see it (the meeting link goes to the person who books it only)."""
    return {"slot_id": slot["_id"], "starts_at": slot["starts_at"].isoformat(), "ends_at": slot["ends_at"].isoformat(),
            "kind": slot["kind"], "place": slot.get("place"), "advisor_name": slot["advisor_name"]}


@router.get("/advice/slots", summary="Free advice times (hankeklinikka)", response_model=list[AdviceSlot])
async def free_slots(deps: Deps) -> list[dict[str, Any]]:
    return [public_slot(s) for s in await deps.views.free_advice_slots()]


@router.post(
    "/advice/bookings", status_code=201, summary="Book a free advice time", dependencies=[RateLimit],
    openapi_extra=request_body(BookingRequest),
    responses={201: {"description": "Booked: the time is this person's", "model": BookingAccepted},
               200: {"description": "The same person's booking again (a double submit)", "model": BookingAccepted},
               409: {"description": "Someone else booked it first: the other free times", "model": SlotTakenAnswer},
               **UNPROCESSABLE},
)
async def book(request: Request, deps: Deps) -> OrjsonResponse:
    raw = await read_json(request, deps.settings.max_body_bytes)
    draft, errors = validate_booking(raw, default_language=current_language())
    if draft is None:
        return invalid(deps, errors)
    token = raw.get("token") if isinstance(raw, dict) else None
    idea_id = (await deps.views.idea_of_status_link(token))["_id"] if token else None
    try:
        booked = await deps.bookings.book(draft, idea_id=idea_id)
    except SlotTaken:
        others = [public_slot(s) for s in await deps.views.free_advice_slots(besides=draft.slot_id)]
        return OrjsonResponse({"detail": deps.t(SLOT_TAKEN), "free_slots": others}, status_code=409)
    except SlotNotOpen:
        return invalid(deps, {"slot_id": Message(SLOT_GONE)})
    return OrjsonResponse(
        {"booking_id": booked.booking["booking_id"], "slot_id": booked.slot["_id"],
         "starts_at": booked.slot["starts_at"].isoformat()},
        status_code=200 if booked.replayed else 201,
    )
