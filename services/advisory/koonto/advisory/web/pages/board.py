"""The board: the cases by stage (filtered) and the advisors' workload."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.as_of import DayRefused, end_of_day, ended_day
from koonto.advisory.domain.lifecycle import STAGES
from koonto.advisory.web.deps import CaseSearch, PageWork
from koonto.advisory.web.pages.common import PREFIX, gettext, municipalities, render
from koonto.shared.i18n import current_language

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PER_STAGE = 50  # cards shown per column


def staff_names(staff: list[dict[str, Any]]) -> dict[str, str]:
    return {s["_id"]: s["name"] for s in staff}


AS_OF_ERRORS = {  # catalogue messages, by `DayRefused.reason`
    "invalid": "Tilannepäivä ei ole päivämäärä. Anna päivä muodossa VVVV-KK-PP, esimerkiksi 2026-09-30.",
    "future": "Tilannepäivä ei ole vielä päättynyt. Valitse eilinen tai aiempi päivä; nykyisen tilanteen näet "
              "jättämällä tilannepäivän tyhjäksi.",
}


@router.get("/")
async def board(
    request: Request,
    advisory: Deps,
    principal: PageWork,
    flt: CaseSearch,
    as_of: str | None = None,
) -> HTMLResponse:
    """The board now, or as it stood at the end of a past day (`?as_of=YYYY-MM-DD`, read-only: `domain.as_of`)."""
    today = advisory.clock.today()
    errors: dict[str, str] = {}
    try:
        day = ended_day(as_of, today)
    except DayRefused as exc:
        day, errors = None, {"as_of": gettext(request, AS_OF_ERRORS[exc.reason])}
    if day is not None:
        past = await advisory.views.board_as_of(flt, end_of_day(day))
        cases, counts, workload = past.cases, past.counts, past.workload
    else:
        cases = await advisory.views.cases(flt, limit=1000)
        counts, workload = await advisory.views.count_by_stage(flt), await advisory.views.workload()
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for c in cases:
        items = by_stage.setdefault(c["stage"], [])
        if len(items) < PER_STAGE:
            items.append(c)
    staff = await advisory.views.staff()
    language = current_language()
    return render(
        request,
        "board.html",
        status_code=422 if errors else 200,
        page_title=gettext(request, "Tapaukset"),
        flt=flt,
        stages=STAGES,
        counts=counts,
        by_stage=by_stage,
        staff_names=staff_names(staff),
        advisors=[s for s in staff if s.get("active") and {"advisor", "coordinator"} & set(s["roles"])],
        calls=await advisory.views.calls(),
        municipalities=municipalities(request),
        themes=[{"code": t.code, "name": getattr(t, language, t.fi)} for t in advisory.region.themes],
        workload=workload,
        as_of=day,
        as_of_raw=as_of or "",
        max_as_of=today - timedelta(days=1),
        errors=errors,
    )
