"""Dead letters for coordinators: the messages that gave up, and running one through its consumer again.
(The JSON API is the shared /api/v1/dead-letters.)"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from koonto.advisory.web.deps import PageCoordinator
from koonto.advisory.web.pages.common import PREFIX, done, gettext, posted, render
from koonto.advisory.web.pages.fields import text
from koonto.shared.bus import redrive
from koonto.shared.web import RuntimeDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/dead-letters")
async def dead_letters(request: Request, runtime: RuntimeDep, principal: PageCoordinator) -> HTMLResponse:
    return render(
        request,
        "dead_letters.html",
        page_title=gettext(request, "Käsittelemättömät viestit"),
        letters=await runtime.dead_letters.list(None),
    )


@router.post("/dead-letters/redrive")
async def dead_letter_redrive(request: Request, runtime: RuntimeDep, principal: PageCoordinator) -> Response:
    form = await posted(request, principal)
    try:
        outcome = await redrive(runtime.consumers, runtime.dead_letters, text(form, "letter_id"))
    except KeyError:
        raise HTTPException(404, "Ei löytynyt.") from None
    return done("/dead-letters", "redriven" if outcome == "redriven" else "failed")
