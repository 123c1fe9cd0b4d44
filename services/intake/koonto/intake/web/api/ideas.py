"""POST /api/v1/ideas: submit a project idea (Idempotency-Key honoured)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from koonto.intake.domain.ideas import validate_idea
from koonto.intake.web.deps import Deps, RateLimit, read_json
from koonto.intake.web.errors import invalid
from koonto.intake.web.schemas import API_PREFIX, API_TAGS, UNPROCESSABLE, IdeaAccepted, IdeaRequest, request_body
from koonto.shared.i18n import current_language
from koonto.shared.web import OrjsonResponse

router = APIRouter(prefix=API_PREFIX, tags=API_TAGS)


@router.post(
    "/ideas", status_code=201, summary="Submit a project idea", dependencies=[RateLimit],
    openapi_extra=request_body(IdeaRequest),
    responses={201: {"description": "Accepted", "model": IdeaAccepted}, **UNPROCESSABLE,
               409: {"description": "Idempotency-Key reused with another idea"},
               413: {"description": "Body too large"}, 429: {"description": "Rate limited (Retry-After)"}},
)
async def submit_idea(request: Request, deps: Deps) -> OrjsonResponse:
    raw = await read_json(request, deps.settings.max_body_bytes)
    draft, errors = validate_idea(raw, deps.region, default_language=current_language())
    if draft is None:
        return invalid(deps, errors)
    submission = await deps.ideas.submit(
        draft, idempotency_key=request.headers.get("idempotency-key", "").strip()[:200] or None,
        correlation_id=request.headers.get("x-correlation-id") or None,
    )
    headers = {"Location": submission.status_url}
    if submission.replayed:
        headers["Idempotent-Replayed"] = "true"
    return OrjsonResponse(
        {"reference": submission.reference, "status_url": submission.status_url}, status_code=201, headers=headers
    )
