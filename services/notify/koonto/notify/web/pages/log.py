"""The delivery log page for staff, with filters."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from koonto.notify.domain.kinds import KINDS
from koonto.notify.views import STATUSES, DeliveryFilter
from koonto.notify.web.deps import Deps, Staff, visible_regions
from koonto.notify.web.pages.staff import render_staff
from koonto.shared.i18n import N_

router = APIRouter(include_in_schema=False)
# the log's query parameters (an empty one: no condition); `fanout`: one newsletter's or announcement's deliveries
FILTERS = ("recipient", "kind", "status", "since", "until", "fanout")


@router.get("/", response_class=HTMLResponse)
async def home(principal: Staff) -> RedirectResponse:
    return RedirectResponse("/staff/notifications", status_code=303)


def parse_day(name: str, value: str | None, errors: dict[str, str]) -> datetime | None:
    if not value:
        return None
    text = value.strip()
    try:
        if "." in text:  # as Finnish is written: 29.11.2026
            return datetime.strptime(text, "%d.%m.%Y")
        return datetime.fromisoformat(text)
    except ValueError:
        errors[name] = N_("Anna päivämäärä muodossa 29.11.2026.")
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
        fanout_id=filters["fanout"] or None,
        regions=visible_regions(deps, principal), home=deps.core.infra.regions.home.code,
    )
    items = await deps.views.deliveries(where, limit=200)
    return render_staff(
        request,
        deps,
        principal,
        "log.html",
        page_title="Viestiloki",
        items=items,
        kinds=sorted(KINDS),
        statuses=STATUSES,
        errors=errors,
        filters=filters,
    )
