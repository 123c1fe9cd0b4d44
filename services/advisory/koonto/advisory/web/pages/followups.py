"""The open follow-ups (mine, or everyone's) and marking one done."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import AdvisoryError
from koonto.advisory.web.deps import PageWork
from koonto.advisory.web.errors import http_status
from koonto.advisory.web.pages.board import staff_names
from koonto.advisory.web.pages.common import PREFIX, done, gettext, posted, render

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/followups")
async def followups(request: Request, advisory: Deps, principal: PageWork, all: str = "") -> HTMLResponse:
    mine = not all
    return render(
        request,
        "followups.html",
        page_title=gettext(request, "Muistutukset"),
        mine=mine,
        followups=await advisory.views.followups(assignee_id=principal.staff_id if mine else None),
        staff_names=staff_names(await advisory.views.staff()),
        today=advisory.clock.today().isoformat(),
    )


@router.post("/followups/{followup_id}/done")
async def followup_done(request: Request, followup_id: str, advisory: Deps, principal: PageWork) -> Response:
    await posted(request, principal)
    try:
        await advisory.followups.complete_followup(Actor.of(principal), followup_id)
    except AdvisoryError as exc:  # this page answers in its language (the others' errors are in Finnish)
        raise HTTPException(http_status(exc), gettext(request, exc.message)) from None
    return done("/followups", "done")
