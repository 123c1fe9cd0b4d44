"""POST /api/v1/subscriptions: ask to subscribe (double opt-in)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from koonto.intake.domain.messages import N_
from koonto.intake.domain.subscriptions import validate_subscription
from koonto.intake.web.deps import Deps, RateLimit, read_json
from koonto.intake.web.errors import invalid
from koonto.intake.web.schemas import API_PREFIX, API_TAGS, UNPROCESSABLE, SubscriptionRequest, request_body
from koonto.shared.i18n import current_language
from koonto.shared.web import OrjsonResponse

SUBSCRIPTION_ASKED = N_("Lähetimme vahvistuslinkin sähköpostiisi. Tilaus alkaa, kun vahvistat sen.")

router = APIRouter(prefix=API_PREFIX, tags=API_TAGS)


@router.post(
    "/subscriptions", status_code=202, summary="Ask to subscribe (double opt-in: a confirmation link is mailed)",
    dependencies=[RateLimit], openapi_extra=request_body(SubscriptionRequest), responses=UNPROCESSABLE,
)
async def subscribe(request: Request, deps: Deps) -> OrjsonResponse:
    raw = await read_json(request, deps.settings.max_body_bytes)
    draft, errors = validate_subscription(raw, deps.region, default_language=current_language())
    if draft is None:
        return invalid(deps, errors)
    await deps.subscriptions.request_topics(
        email=draft.email, topics=draft.topics, language=draft.language, municipality=draft.municipality,
        themes=draft.themes,
    )
    # the same answer whatever the address's state: nobody learns who subscribes to what
    return OrjsonResponse({"detail": deps.t(SUBSCRIPTION_ASKED)}, status_code=202)
