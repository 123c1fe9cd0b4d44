"""The status page behind the association's signed link: the stage, amendments, erasure of personal data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.amendments import validate_amendment
from koonto.intake.domain.messages import N_, FieldErrors
from koonto.intake.domain.stages import MAIN_PATH, STAGE_EXPLANATIONS, stage_label
from koonto.intake.web.deps import AMENDMENT_CHECKBOXES, Deps, read_form
from koonto.intake.web.pages.forms import form_context, municipality_name, require_csrf, theme_names
from koonto.shared.clock import as_utc
from koonto.shared.pages import rooted, see_other

router = APIRouter(include_in_schema=False)


def partner_consent(idea: dict[str, Any]) -> bool:
    return bool((idea.get("consents") or {}).get("partner_introductions", False))


def _status_page(
    request: Request,
    deps: IntakeContainer,
    token: str,
    idea: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Response:
    stage = idea.get("stage") or "idea"
    if values is None:
        values = {
            "contact": dict(idea.get("contact") or {}),
            "description": idea.get("description", ""),
            "partner_introductions": partner_consent(idea),
        }
    organisation = idea["organisation"]
    return deps.pages.render(
        request,
        "status.html",
        status_code=status,
        page_title=deps.t(N_("Idean tila")),
        idea=idea,
        token=token,
        csrf_token=deps.links.status.csrf_for(token),
        stage=stage,
        stage_label=deps.t(stage_label(stage)),
        stage_explanation=deps.t(STAGE_EXPLANATIONS.get(stage, "")),
        stage_changed_at=as_utc(idea["stage_changed_at"]) if idea.get("stage_changed_at") else None,
        path_stages=[(s, deps.t(stage_label(s))) for s in MAIN_PATH],
        done=request.query_params.get("done", ""),
        submitted_at=as_utc(idea["submitted_at"]),
        erased_at=as_utc(idea["erased_at"]) if idea.get("erased_at") else None,
        municipality_name=municipality_name(
            deps.region, organisation["municipality"], organisation.get("municipality_other")
        )
        or "",
        theme_names=theme_names(deps.region, idea.get("themes", [])),
        attachment_href=lambda file: rooted(request, f"/status/{token}/attachments/{file['attachment_id']}"),
        **form_context(deps, values, errors or {}),
    )


@router.get("/status/{token}")
async def status_page(token: str, request: Request, deps: Deps) -> Response:
    idea = await deps.views.idea_of_status_link(token)
    return _status_page(request, deps, token, idea)


@router.post("/status/{token}/amend")
async def amend(token: str, request: Request, deps: Deps) -> Response:
    idea = await deps.views.idea_of_status_link(token)
    values, page = await read_form(request, deps.settings.max_body_bytes, AMENDMENT_CHECKBOXES)
    require_csrf(deps.links.status, token, page)
    if idea.get("erased_at"):
        return see_other(request, f"/status/{token}")
    amendment, errors = validate_amendment(
        values,
        current_contact=idea.get("contact"),
        current_description=idea.get("description", ""),
        default_language=(idea.get("contact") or {}).get("language", "fi"),
        current_partner_consent=partner_consent(idea),
    )
    if amendment is None:
        return _status_page(request, deps, token, idea, values=values, errors=errors, status=422)
    changed = await deps.status.amend(idea, amendment)
    return see_other(request, f"/status/{token}?done={'amended' if changed else 'unchanged'}")


@router.get("/status/{token}/erase")
async def erase_confirm(token: str, request: Request, deps: Deps) -> Response:
    idea = await deps.views.idea_of_status_link(token)
    return deps.pages.render(
        request, "erase.html", page_title=deps.t(N_("Poista henkilötietoni")), idea=idea, token=token,
        csrf_token=deps.links.status.csrf_for(token),
    )


@router.post("/status/{token}/erase")
async def erase(token: str, request: Request, deps: Deps) -> Response:
    idea = await deps.views.idea_of_status_link(token)
    _, page = await read_form(request, deps.settings.max_body_bytes)
    require_csrf(deps.links.status, token, page)
    await deps.status.request_erasure(idea)
    return see_other(request, f"/status/{token}?done=erased")
