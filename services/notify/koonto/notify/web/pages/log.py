"""The delivery log page for staff, with filters."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from koonto.notify.domain.kinds import KINDS
from koonto.notify.views import STATUSES, DeliveryFilter
from koonto.notify.web.deps import Deps, Staff

router = APIRouter(include_in_schema=False)
FILTERS = ("recipient", "kind", "status", "since", "until")  # the log's query parameters (an empty one: no condition)


@router.get("/", response_class=HTMLResponse)
async def home(principal: Staff) -> RedirectResponse:
    return RedirectResponse("/staff/notifications", status_code=303)


def parse_day(name: str, value: str | None, errors: dict[str, str]) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        errors[name] = "Anna päivämäärä muodossa VVVV-KK-PP."
        return None


@router.get("/staff/notifications", response_class=HTMLResponse)
async def delivery_log(request: Request, deps: Deps, principal: Staff) -> HTMLResponse:
    filters = {name: request.query_params.get(name) or "" for name in FILTERS}
    errors: dict[str, str] = {}
    where = DeliveryFilter(
        recipient=filters["recipient"] or None,
        kind=filters["kind"] or None,
        status=filters["status"] or None,
        since=parse_day("since", filters["since"], errors),
        until=parse_day("until", filters["until"], errors),
    )
    items = await deps.views.deliveries(where, limit=200)
    return deps.pages.render(
        request,
        "log.html",
        staff=principal,
        page_title="Viestiloki",
        items=items,
        kinds=sorted(KINDS),
        statuses=STATUSES,
        errors=errors,
        filters=filters,
    )
