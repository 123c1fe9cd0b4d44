"""Dead letters for coordinators: the messages that gave up, and running one through its consumer again.
(The JSON API is the shared /api/v1/dead-letters.) A coordinator sees the letters of their regions' events only
(the region in the letter's envelope; one that cannot be read is the home region's)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from koonto.advisory.bootstrap import Deps
from koonto.advisory.web.deps import PageCoordinator
from koonto.advisory.web.pages.common import PREFIX, done, gettext, posted, render
from koonto.advisory.web.pages.fields import text
from koonto.shared.bus import redrive
from koonto.shared.web import RuntimeDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def region_of_letter(letter: dict[str, Any]) -> dict[str, Any]:
    """The letter with the region of its envelope (as `RegionScope.visible` reads it)."""
    try:
        region = json.loads(letter.get("body") or "{}").get("region")
    except (ValueError, AttributeError):
        region = None
    return {**letter, "region": region if isinstance(region, str) else None}


@router.get("/dead-letters")
async def dead_letters(
    request: Request, runtime: RuntimeDep, advisory: Deps, principal: PageCoordinator
) -> HTMLResponse:
    letters = [region_of_letter(letter) for letter in await runtime.dead_letters.list(None)]
    return render(
        request,
        "dead_letters.html",
        page_title=gettext(request, "Käsittelemättömät viestit"),
        letters=[letter for letter in letters if advisory.store.scope.visible(letter)],
    )


@router.post("/dead-letters/redrive")
async def dead_letter_redrive(
    request: Request, runtime: RuntimeDep, advisory: Deps, principal: PageCoordinator
) -> Response:
    form = await posted(request, principal)
    letter = await runtime.dead_letters.get(text(form, "letter_id"))
    if letter is None or not advisory.store.scope.visible(region_of_letter(letter)):
        raise HTTPException(404, "Ei löytynyt.")
    try:
        outcome = await redrive(runtime.consumers, runtime.dead_letters, text(form, "letter_id"))
    except KeyError:
        raise HTTPException(404, "Ei löytynyt.") from None
    return done("/dead-letters", "redriven" if outcome == "redriven" else "failed")
