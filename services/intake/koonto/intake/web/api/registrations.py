"""POST /api/v1/registrations: sign up for a training or forum."""

from __future__ import annotations

from fastapi import APIRouter, Request

from koonto.intake.domain.registrations import validate_registration
from koonto.intake.web.deps import Deps, RateLimit, read_json
from koonto.intake.web.errors import invalid
from koonto.intake.web.schemas import (
    API_PREFIX,
    API_TAGS,
    UNPROCESSABLE,
    RegistrationAccepted,
    RegistrationRequest,
    request_body,
)
from koonto.shared.i18n import current_language
from koonto.shared.web import OrjsonResponse

router = APIRouter(prefix=API_PREFIX, tags=API_TAGS)


@router.post(
    "/registrations", status_code=201, summary="Sign up for a training or forum", dependencies=[RateLimit],
    openapi_extra=request_body(RegistrationRequest),
    responses={201: {"description": "Signed up (or on the waiting list)", "model": RegistrationAccepted},
               200: {"description": "The same sign-up again: the earlier answer", "model": RegistrationAccepted},
               **UNPROCESSABLE},
)
async def register(request: Request, deps: Deps) -> OrjsonResponse:
    raw = await read_json(request, deps.settings.max_body_bytes)
    draft, errors = validate_registration(raw, deps.region, default_language=current_language())
    if draft is None:
        return invalid(deps, errors)
    registered = await deps.registrations.register(draft)  # EventNotOpen: 422 on the event (web/errors.py)
    registration = registered.registration
    return OrjsonResponse(
        {"registration_id": registration["registration_id"], "status": registration["status"],
         "position_on_waitlist": registration.get("position_on_waitlist")},
        status_code=200 if registered.replayed else 201,
    )
