"""Staff administration (admins): the accounts with the form for a new one, and changing one account."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.regions import region_roles_of
from koonto.advisory.web.deps import PageAdmin
from koonto.advisory.web.labels import ROLE_LABELS
from koonto.advisory.web.pages.common import FRESH, N_, PREFIX, Fresh, done, page, render, served_regions, submit
from koonto.advisory.web.pages.fields import Fields, checked, chosen, optional, posting, text, text_or

router = APIRouter(prefix=PREFIX, include_in_schema=False)



def region_roles(form: FormData, name: str) -> dict[str, list[str]] | None:
    """The roles ticked per region (`roles@<region code>`) on a deployment of several regions; None from the
    form of a single-region deployment, which has no such fields."""
    if form.get(name) != "1":
        return None
    return {key.split("@", 1)[1]: chosen(form, key) for key in sorted(set(form.keys())) if key.startswith("roles@")}


KEPT = (409, 422)  # the statuses a refused staff form keeps (others: 422)
NEW_STAFF_FORM: Fields = {  # invited by mail
    "email": text, "name": text, "roles": chosen, "language": text_or("fi"), "region_roles": region_roles,
}
STAFF_FORM: Fields = {  # changing an account
    "name": optional, "roles": chosen, "active": checked, "password": optional, "region_roles": region_roles,
}


@router.get("/staff")
async def staff_page(request: Request, advisory: Deps, principal: PageAdmin, shown: Fresh = FRESH) -> HTMLResponse:
    people = await advisory.views.staff()
    home = advisory.infra.regions.home.code
    return page(request, "staff.html", shown, N_("Käyttäjät"), people=people, role_labels=ROLE_LABELS,
                regions=served_regions(request), held_by={p["_id"]: region_roles_of(p, home) for p in people})


@router.get("/staff/{staff_id}")
async def staff_edit_page(
    request: Request, advisory: Deps, staff_id: str, principal: PageAdmin, shown: Fresh = FRESH
) -> HTMLResponse:
    person = await advisory.views.staff_account(staff_id)
    return render(
        request,
        "staff_edit.html",
        status_code=shown.status_code,
        page_title=person["name"],
        person=person,
        role_labels=ROLE_LABELS,
        regions=served_regions(request),
        held=region_roles_of(person, advisory.infra.regions.home.code),
        errors=shown.errors,  # the form shows the account, not the values sent
    )


@router.post("/staff")
async def staff_create(request: Request, advisory: Deps, principal: PageAdmin) -> Response:
    act = posting(advisory.staff.create_staff, NEW_STAFF_FORM)
    return await submit(request, principal, act, field="name", then=done("/staff", "invited"), statuses=KEPT,
                        again=partial(staff_page, request, advisory, principal))


@router.post("/staff/{staff_id}")
async def staff_update(request: Request, staff_id: str, advisory: Deps, principal: PageAdmin) -> Response:
    act = posting(advisory.staff.update_staff, STAFF_FORM, staff_id)
    return await submit(request, principal, act, field="name",
                        then=done(f"/staff/{quote(staff_id)}", "staff"), statuses=KEPT,
                        again=partial(staff_edit_page, request, advisory, staff_id, principal))
