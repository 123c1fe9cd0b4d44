"""The JSON API: the same submissions as the forms, for integrations and progressive enhancement."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from koonto.intake.domain.ideas import validate_idea
from koonto.intake.domain.messages import CHECK_THE_FORM, N_, FieldErrors, Message
from koonto.intake.domain.registrations import EVENT_UNKNOWN, validate_registration
from koonto.intake.domain.subscriptions import validate_subscription
from koonto.intake.service import EventNotOpen, IdempotencyConflict
from koonto.intake.web.common import IntakeDep, RateLimit, read_json
from koonto.intake.web.schemas import (
    IdeaAccepted,
    IdeaRequest,
    Refusal,
    RegistrationAccepted,
    RegistrationRequest,
    SubscriptionRequest,
    request_body,
)
from koonto.shared.clock import as_utc, helsinki_date, utcnow
from koonto.shared.i18n import current_language

IDEMPOTENCY_CONFLICT = N_("Tämä Idempotency-Key on jo käytetty toisen idean kanssa. Käytä uutta avainta.")
SUBSCRIPTION_ASKED = N_("Lähetimme vahvistuslinkin sähköpostiisi. Tilaus alkaa, kun vahvistat sen.")

router = APIRouter(prefix="/api/v1", tags=["public API"])

UNPROCESSABLE: dict[int | str, dict[str, Any]] = {
    422: {"description": "Per-field messages in the request's language", "model": Refusal},
}


def invalid(intake: Any, errors: FieldErrors) -> JSONResponse:
    return JSONResponse({"detail": intake.t(CHECK_THE_FORM), "errors": intake.errors_text(errors)}, status_code=422)


@router.post(
    "/ideas", status_code=201, summary="Submit a project idea", dependencies=[RateLimit],
    openapi_extra=request_body(IdeaRequest),
    responses={201: {"description": "Accepted", "model": IdeaAccepted}, **UNPROCESSABLE,
               409: {"description": "Idempotency-Key reused with another idea"},
               413: {"description": "Body too large"}, 429: {"description": "Rate limited (Retry-After)"}},
)
async def submit_idea(request: Request, intake: IntakeDep) -> JSONResponse:
    raw = await read_json(request, intake.settings.max_body_bytes)
    draft, errors = validate_idea(raw, intake.service.region, default_language=current_language())
    if draft is None:
        return invalid(intake, errors)
    key = request.headers.get("idempotency-key", "").strip()[:200] or None
    try:
        submission = await intake.service.submit_idea(
            draft, idempotency_key=key, correlation_id=request.headers.get("x-correlation-id") or None
        )
    except IdempotencyConflict:
        return JSONResponse({"detail": intake.t(IDEMPOTENCY_CONFLICT)}, status_code=409)
    headers = {"Location": submission.status_url}
    if submission.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(
        {"reference": submission.reference, "status_url": submission.status_url}, status_code=201, headers=headers
    )


@router.post(
    "/registrations", status_code=201, summary="Sign up for a training or forum", dependencies=[RateLimit],
    openapi_extra=request_body(RegistrationRequest),
    responses={201: {"description": "Signed up (or on the waiting list)", "model": RegistrationAccepted},
               200: {"description": "The same sign-up again: the earlier answer", "model": RegistrationAccepted},
               **UNPROCESSABLE},
)
async def register(request: Request, intake: IntakeDep) -> JSONResponse:
    raw = await read_json(request, intake.settings.max_body_bytes)
    draft, errors = validate_registration(raw, intake.service.region, default_language=current_language())
    if draft is None:
        return invalid(intake, errors)
    try:
        registration, replayed = await intake.service.register(draft)
    except EventNotOpen:
        return invalid(intake, {"scheduled_event_id": Message(EVENT_UNKNOWN)})
    return JSONResponse(
        {"registration_id": registration["_id"], "status": registration["status"],
         "position_on_waitlist": registration.get("position_on_waitlist")},
        status_code=200 if replayed else 201,
    )


@router.post(
    "/subscriptions", status_code=202, summary="Ask to subscribe (double opt-in: a confirmation link is mailed)",
    dependencies=[RateLimit], openapi_extra=request_body(SubscriptionRequest), responses=UNPROCESSABLE,
)
async def subscribe(request: Request, intake: IntakeDep) -> JSONResponse:
    raw = await read_json(request, intake.settings.max_body_bytes)
    draft, errors = validate_subscription(raw, intake.service.region, default_language=current_language())
    if draft is None:
        return invalid(intake, errors)
    for topic in draft.topics:
        await intake.service.request_subscription(
            email=draft.email, topic=topic, language=draft.language, municipality=draft.municipality,
            source="subscription-form",
        )
    # the same answer whatever the address's state: nobody learns who subscribes to what
    return JSONResponse({"detail": intake.t(SUBSCRIPTION_ASKED)}, status_code=202)


@router.get("/events", summary="Upcoming trainings and forums")
async def upcoming_events(intake: IntakeDep) -> list[dict[str, Any]]:
    events = await intake.store.upcoming_events(utcnow())
    return [
        {"scheduled_event_id": e["_id"], "title": e["title"], "kind": e["kind"],
         "starts_at": as_utc(e["starts_at"]).isoformat(), "place": e.get("place"),
         "municipality": e.get("municipality"), "capacity": e["capacity"],
         "seats_left": max(0, int(e["capacity"]) - int(e.get("confirmed_count", 0)))}
        for e in events
    ]


@router.get("/calls", summary="Open funding calls")
async def open_calls(intake: IntakeDep) -> list[dict[str, Any]]:
    calls = await intake.store.open_calls(helsinki_date(utcnow()))
    return [
        {"call_id": c["_id"], "name": c["name"], "funder": c.get("funder"), "closes_on": c["closes_on"],
         "url": c.get("url")}
        for c in calls
    ]

