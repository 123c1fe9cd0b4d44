"""The landing page and the information pages."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.domain.messages import N_
from koonto.intake.web.deps import Deps
from koonto.intake.web.pages.forms import event_cards

router = APIRouter(include_in_schema=False)

# The accessibility statement's dates (the law asks for both): change REVIEWED whenever its text is checked again
# against what the service is, and the known gaps with it.
STATEMENT_MADE = date(2026, 12, 2)
STATEMENT_REVIEWED = date(2026, 12, 2)


@router.get("/")
async def landing(request: Request, deps: Deps) -> Response:
    calls = await deps.views.open_calls()
    events = await deps.views.upcoming_events(limit=3)
    return deps.pages.render(request, "index.html", calls=calls, events=event_cards(deps, events))


@router.get("/privacy")
async def privacy(request: Request, deps: Deps) -> Response:
    return deps.pages.render(request, "privacy.html", page_title=deps.t(N_("Tietosuojaseloste")))


@router.get("/accessibility")
async def accessibility(request: Request, deps: Deps) -> Response:
    return deps.pages.render(request, "accessibility.html", page_title=deps.t(N_("Saavutettavuusseloste")),
                             statement_made=STATEMENT_MADE, statement_reviewed=STATEMENT_REVIEWED)
