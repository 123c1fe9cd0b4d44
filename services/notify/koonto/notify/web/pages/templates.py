"""The template preview page for staff: every kind in every language, with sample data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from koonto.notify.web.deps import Deps, Staff
from koonto.notify.web.pages.staff import render_staff

router = APIRouter(include_in_schema=False)


@router.get("/staff/templates", response_class=HTMLResponse)
async def preview(request: Request, deps: Deps, principal: Staff) -> HTMLResponse:
    previews = deps.views.template_previews()
    return render_staff(request, deps, principal, "preview.html", page_title="Viestipohjat", previews=previews)
