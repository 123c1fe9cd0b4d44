"""The public archive of sent newsletters, each in the languages it was written in: the "view in browser" link
of every newsletter mail opens its page here (`/newsletters/<id>?lang=sv`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from koonto.intake.domain.messages import N_
from koonto.intake.web.deps import Deps
from koonto.shared.i18n import current_language

router = APIRouter(include_in_schema=False)


@router.get("/newsletters")
async def archive(request: Request, deps: Deps) -> Response:
    newsletters = await deps.views.newsletters(current_language())
    return deps.pages.render(
        request, "newsletters.html", page_title=deps.t(N_("Uutiskirjeet")), newsletters=newsletters
    )


@router.get("/newsletters/{campaign_id}")
async def newsletter(request: Request, campaign_id: str, deps: Deps) -> Response:
    found = await deps.views.newsletter(campaign_id, current_language())
    if found is None:
        raise HTTPException(404)
    return deps.pages.render(
        request,
        "newsletter.html",
        page_title=found["subject"],
        newsletter=found,
        language_names={"fi": "Suomeksi", "sv": "På svenska", "en": "In English"},
    )
