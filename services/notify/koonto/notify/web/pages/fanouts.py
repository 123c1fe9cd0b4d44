"""The fan-out progress page for staff."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from koonto.notify.web.deps import Deps, Staff, visible_regions
from koonto.notify.web.pages.staff import render_staff

router = APIRouter(include_in_schema=False)


@router.get("/staff/fanouts", response_class=HTMLResponse)
async def fanouts(request: Request, deps: Deps, principal: Staff) -> HTMLResponse:
    views = await deps.views.fanouts(visible_regions(deps, principal), deps.core.infra.regions.home.code)
    return render_staff(request, deps, principal, "fanouts.html", page_title="Joukkolähetykset", fanouts=views)
