"""Staff administration (admins): the accounts with the form for a new one, and changing one account."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import AdvisoryContainer, Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import AdvisoryError
from koonto.advisory.i18n import N_
from koonto.advisory.web.deps import PageAdmin
from koonto.advisory.web.pages.common import PREFIX, done, gettext, optional, posted, refusal, render, text

router = APIRouter(prefix=PREFIX, include_in_schema=False)

ROLE_LABELS = {
    "admin": N_("Pääkäyttäjä"),
    "coordinator": N_("Koordinaattori"),
    "advisor": N_("Neuvoja"),
    "funder": N_("Rahoittaja"),
}
SHOWN = (409, 422)  # the statuses a refused staff form keeps (others: 422)


def roles(form: FormData) -> list[str]:
    return [str(r) for r in form.getlist("roles")]


async def staff_page(
    request: Request,
    advisory: AdvisoryContainer,
    *,
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "staff.html",
        status_code=status_code,
        page_title=gettext(request, "Käyttäjät"),
        people=await advisory.views.staff(),
        role_labels=ROLE_LABELS,
        errors=errors or {},
        form=form or FormData(),
    )


@router.get("/staff")
async def staff_list(request: Request, advisory: Deps, principal: PageAdmin) -> HTMLResponse:
    return await staff_page(request, advisory)


@router.post("/staff")
async def staff_create(request: Request, advisory: Deps, principal: PageAdmin) -> Response:
    form = await posted(request, principal)
    try:
        await advisory.staff.create_staff(
            Actor.of(principal),
            email=text(form, "email"),
            name=text(form, "name"),
            roles=roles(form),
            password=text(form, "password"),
            language=text(form, "language", "fi"),
        )
    except AdvisoryError as exc:
        errors, status = refusal(request, exc, "name", SHOWN)
        return await staff_page(request, advisory, errors=errors, form=form, status_code=status)
    return done("/staff", "staff")


async def staff_edit_page(
    request: Request,
    advisory: AdvisoryContainer,
    staff_id: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = await advisory.views.staff_account(staff_id)
    return render(
        request,
        "staff_edit.html",
        status_code=status_code,
        page_title=person["name"],
        person=person,
        role_labels=ROLE_LABELS,
        errors=errors or {},
    )


@router.get("/staff/{staff_id}")
async def staff_edit(request: Request, staff_id: str, advisory: Deps, principal: PageAdmin) -> HTMLResponse:
    return await staff_edit_page(request, advisory, staff_id)


@router.post("/staff/{staff_id}")
async def staff_update(request: Request, staff_id: str, advisory: Deps, principal: PageAdmin) -> Response:
    form = await posted(request, principal)
    try:
        await advisory.staff.update_staff(
            Actor.of(principal),
            staff_id,
            name=optional(form, "name"),
            roles=roles(form),
            active=form.get("active") == "1",
            password=optional(form, "password"),
        )
    except AdvisoryError as exc:
        errors, status = refusal(request, exc, "name", SHOWN)
        return await staff_edit_page(request, advisory, staff_id, errors=errors, status_code=status)
    return done(f"/staff/{quote(staff_id)}", "staff")
