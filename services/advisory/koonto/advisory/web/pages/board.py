"""The board: the cases by stage (filtered) and the advisors' workload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.lifecycle import STAGES
from koonto.advisory.web.deps import CaseSearch, PageWork
from koonto.advisory.web.pages.common import PREFIX, gettext, municipalities, render
from koonto.shared.i18n import current_language

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PER_STAGE = 50  # cards shown per column


def staff_names(staff: list[dict[str, Any]]) -> dict[str, str]:
    return {s["_id"]: s["name"] for s in staff}


@router.get("/")
async def board(
    request: Request,
    advisory: Deps,
    principal: PageWork,
    flt: CaseSearch,
) -> HTMLResponse:
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for c in await advisory.views.cases(flt, limit=1000):
        items = by_stage.setdefault(c["stage"], [])
        if len(items) < PER_STAGE:
            items.append(c)
    staff = await advisory.views.staff()
    language = current_language()
    return render(
        request,
        "board.html",
        page_title=gettext(request, "Tapaukset"),
        flt=flt,
        stages=STAGES,
        counts=await advisory.views.count_by_stage(flt),
        by_stage=by_stage,
        staff_names=staff_names(staff),
        advisors=[s for s in staff if s.get("active") and {"advisor", "coordinator"} & set(s["roles"])],
        calls=await advisory.views.calls(),
        municipalities=municipalities(request),
        themes=[{"code": t.code, "name": getattr(t, language, t.fi)} for t in advisory.region.themes],
        workload=await advisory.views.workload(),
    )
