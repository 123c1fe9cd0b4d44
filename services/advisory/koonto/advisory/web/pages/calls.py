"""Funding calls: the list with the form for a new call, and one call with the cases preparing for it."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import invalid_fields
from koonto.advisory.use_cases.calls import call_problems
from koonto.advisory.web.deps import PageWork
from koonto.advisory.web.labels import NOTICE_LABELS
from koonto.advisory.web.pages.common import FRESH, N_, PREFIX, Fresh, done, own_regions, page, render, submit
from koonto.advisory.web.pages.fields import day, integer, optional, read_all, text

router = APIRouter(prefix=PREFIX, include_in_schema=False)
CALL_FIELDS = ("name", "funder", "opens_on", "closes_on", "budget_eur", "url")  # the form's order


@router.get("/calls")
async def calls_page(request: Request, advisory: Deps, principal: PageWork, shown: Fresh = FRESH) -> HTMLResponse:
    return page(request, "calls.html", shown, N_("Rahoitushaut"),
                calls=await advisory.views.calls(), default_funder=advisory.region.funder,
                regions=own_regions(request))


@router.post("/calls")
async def create_call(request: Request, advisory: Deps, principal: PageWork) -> Response:
    def act(actor: Actor, form: FormData) -> Awaitable[object]:
        read, problems = read_all(form, {"opens_on": day, "closes_on": day, "budget_eur": integer})
        url = text(form, "url").strip() or None
        problems |= call_problems(
            text(form, "name").strip(),
            text(form, "funder").strip(),
            read["opens_on"],
            read["closes_on"],
            read["budget_eur"],
            url,
        )
        if problems:  # every wrong field at once, in the form's order
            raise invalid_fields({f: problems[f] for f in CALL_FIELDS if f in problems})
        return advisory.calls.create_call(
            actor,
            name=text(form, "name"),
            funder=text(form, "funder"),
            opens_on=read["opens_on"],
            closes_on=read["closes_on"],
            budget_eur=read["budget_eur"],
            url=url,
            description=text(form, "description"),
            region=optional(form, "region"),
        )

    return await submit(request, principal, act, field="name", then=done("/calls", "call"),
                        again=partial(calls_page, request, advisory, principal))


@router.get("/calls/{call_id}")
async def call_detail(request: Request, call_id: str, advisory: Deps, principal: PageWork) -> HTMLResponse:
    call = await advisory.views.call(call_id)
    return render(
        request,
        "call.html",
        page_title=call["name"],
        call=call,
        notice_labels=NOTICE_LABELS,
        preparing=await advisory.views.preparing_cases_for_call(call_id),
    )
