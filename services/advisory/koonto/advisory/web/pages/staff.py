"""Staff administration (admins): the accounts with the form for a new one, and changing one account."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import AdvisoryContainer, Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.i18n import N_
from koonto.advisory.web.deps import PageAdmin
from koonto.advisory.web.pages.common import FRESH, PREFIX, Shown, done, gettext, optional, render, submit, text

router = APIRouter(prefix=PREFIX, include_in_schema=False)

ROLE_LABELS = {
    "admin": N_("Pääkäyttäjä"),
    "coordinator": N_("Koordinaattori"),
    "advisor": N_("Neuvoja"),
    "funder": N_("Rahoittaja"),
}
KEPT = (409, 422)  # the statuses a refused staff form keeps (others: 422)


def roles(form: FormData) -> list[str]:
    return [str(r) for r in form.getlist("roles")]


async def staff_page(request: Request, advisory: AdvisoryContainer, shown: Shown = FRESH) -> HTMLResponse:
    return render(
        request,
        "staff.html",
        page_title=gettext(request, "Käyttäjät"),
        people=await advisory.views.staff(),
        role_labels=ROLE_LABELS,
        **shown.context(),
    )


async def staff_edit_page(
    request: Request, advisory: AdvisoryContainer, staff_id: str, shown: Shown = FRESH
) -> HTMLResponse:
    person = await advisory.views.staff_account(staff_id)
    return render(
        request,
        "staff_edit.html",
        status_code=shown.status_code,
        page_title=person["name"],
        person=person,
        role_labels=ROLE_LABELS,
        errors=shown.errors,  # the form shows the account, not the values sent
    )


@router.get("/staff")
async def staff_list(request: Request, advisory: Deps, principal: PageAdmin) -> HTMLResponse:
    return await staff_page(request, advisory)


@router.post("/staff")
async def staff_create(request: Request, advisory: Deps, principal: PageAdmin) -> Response:
    def act(actor: Actor, form: FormData) -> Awaitable[object]:
        return advisory.staff.create_staff(
            actor,
            email=text(form, "email"),
            name=text(form, "name"),
            roles=roles(form),
            password=text(form, "password"),
            language=text(form, "language", "fi"),
        )

    again = partial(staff_page, request, advisory)
    return await submit(
        request, principal, act, field="name", again=again, then=done("/staff", "staff"), statuses=KEPT
    )


@router.get("/staff/{staff_id}")
async def staff_edit(request: Request, staff_id: str, advisory: Deps, principal: PageAdmin) -> HTMLResponse:
    return await staff_edit_page(request, advisory, staff_id)


@router.post("/staff/{staff_id}")
async def staff_update(request: Request, staff_id: str, advisory: Deps, principal: PageAdmin) -> Response:
    def act(actor: Actor, form: FormData) -> Awaitable[object]:
        return advisory.staff.update_staff(
            actor,
            staff_id,
            name=optional(form, "name"),
            roles=roles(form),
            active=form.get("active") == "1",
            password=optional(form, "password"),
        )

    again = partial(staff_edit_page, request, advisory, staff_id)
    then = done(f"/staff/{quote(staff_id)}", "staff")
    return await submit(request, principal, act, field="name", again=again, then=then, statuses=KEPT)
