"""Advice times (hankeklinikka): the published times with the form for a new one, withdrawing a free one, and the
bookings intake decided (logging a held one as a session with one click)."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.web.deps import PageWork
from koonto.advisory.web.labels import SLOT_KIND_LABELS, SLOT_STATUS_LABELS
from koonto.advisory.web.pages.common import FRESH, N_, PREFIX, Fresh, done, own_regions, page, submit
from koonto.advisory.web.pages.fields import moment, optional, posting, read_all, text

router = APIRouter(prefix=PREFIX, include_in_schema=False)
KEPT = (403, 409, 422)  # the statuses a refused slot form keeps


@router.get("/slots")
async def slots_page(request: Request, advisory: Deps, principal: PageWork, shown: Fresh = FRESH) -> HTMLResponse:
    return page(request, "slots.html", shown, N_("Neuvonta-ajat"),
                slots=await advisory.views.advice_slots(advisory.clock.now()),
                advisors=await advisory.views.slot_advisors(), kind_labels=SLOT_KIND_LABELS,
                status_labels=SLOT_STATUS_LABELS, regions=own_regions(request))


@router.post("/slots")
async def publish_slot(request: Request, advisory: Deps, principal: PageWork) -> Response:
    def act(actor: Actor, form: FormData) -> Awaitable[object]:
        read, problems = read_all(form, {"starts_at": moment, "ends_at": moment})
        return advisory.slots.publish(
            actor, starts_at=read["starts_at"], ends_at=read["ends_at"], kind=text(form, "kind"),
            place=optional(form, "place"), online_url=optional(form, "online_url"),
            advisor_id=optional(form, "advisor_id"), problems=problems, region=optional(form, "region"),
        )

    return await submit(request, principal, act, field="starts_at", then=done("/slots", "slot"), statuses=KEPT,
                        again=partial(slots_page, request, advisory, principal))


@router.post("/slots/{slot_id}/withdraw")
async def withdraw_slot(request: Request, slot_id: str, advisory: Deps, principal: PageWork) -> Response:
    act = posting(advisory.slots.withdraw, {}, slot_id)
    return await submit(request, principal, act, field="slots", then=done("/slots", "withdrawn"), statuses=KEPT,
                        again=partial(slots_page, request, advisory, principal))


@router.get("/bookings")
async def bookings_page(request: Request, advisory: Deps, principal: PageWork, shown: Fresh = FRESH) -> HTMLResponse:
    return page(request, "bookings.html", shown, N_("Varatut neuvonta-ajat"),
                bookings=await advisory.views.advice_bookings(advisory.clock.now()), now=advisory.clock.now(),
                kind_labels=SLOT_KIND_LABELS)


@router.post("/bookings/{booking_id}/held")
async def log_held(request: Request, booking_id: str, advisory: Deps, principal: PageWork) -> Response:
    act = posting(advisory.slots.log_held, {}, booking_id)
    return await submit(request, principal, act, field="bookings", then=done("/bookings", "session"), statuses=KEPT,
                        again=partial(bookings_page, request, advisory, principal))
