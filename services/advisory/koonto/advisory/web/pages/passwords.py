"""Setting one's own password through a one-time link (an invitation or a reset), asking for a reset link, and
an admin sending an account a new link. The first three are for someone not signed in: their forms carry the
login form's CSRF token (`auth.anonymous_page`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import AdvisoryError, Invalid, LinkExpired, Throttled
from koonto.advisory.web.deps import PageAdmin, client_address
from koonto.advisory.web.errors import retry_after
from koonto.advisory.web.pages.auth import anonymous_csrf_ok, anonymous_page
from koonto.advisory.web.pages.common import PREFIX, done, gettext, posted, render

router = APIRouter(prefix=PREFIX, include_in_schema=False)

STALE_FORM = "Lomakkeen tarkiste puuttuu tai on vanhentunut. Yritä uudelleen."


def forgot_page(request: Request, *, status_code: int = 200, error: str = "", sent: bool = False) -> HTMLResponse:
    return anonymous_page(
        request, "password_forgot.html", status_code=status_code, page_title=gettext(request, "Unohtunut salasana"),
        login_error=error, sent=sent,
    )


def expired_page(request: Request, exc: LinkExpired) -> HTMLResponse:
    request.state.principal = None
    return render(
        request, "message.html", status_code=410, heading=gettext(request, "Linkki ei ole enää voimassa"),
        text=exc.text(lambda message: gettext(request, message)), login_link=True,
    )


@router.get("/password/forgot")
async def forgot_form(request: Request) -> HTMLResponse:
    return forgot_page(request)


@router.post("/password/forgot")
async def forgot(request: Request, advisory: Deps) -> Response:
    form = await request.form()
    if not anonymous_csrf_ok(request, form):
        return forgot_page(request, status_code=403, error=gettext(request, STALE_FORM))
    try:
        await advisory.passwords.request_reset(str(form.get("email", "")), client_address(request))
    except Throttled as exc:
        response = forgot_page(request, status_code=429, error=exc.text(lambda message: gettext(request, message)))
        response.headers["Retry-After"] = retry_after(exc)
        return response
    return forgot_page(request, sent=True)  # the same answer whether or not the address has an account


async def set_page(request: Request, advisory: Deps, token: str, *, status_code: int = 200,
                   errors: dict[str, str] | None = None) -> HTMLResponse:
    try:
        holder = await advisory.passwords.link_holder(token)
    except LinkExpired as exc:
        return expired_page(request, exc)
    title = "Tervetuloa Koontoon" if holder["purpose"] == "invitation" else "Aseta uusi salasana"
    return anonymous_page(
        request, "password_set.html", status_code=status_code, page_title=gettext(request, title), holder=holder,
        token=token, errors=errors or {},
    )


@router.get("/password/{token}")
async def set_form(request: Request, advisory: Deps, token: str) -> HTMLResponse:
    response = await set_page(request, advisory, token)
    response.headers["Referrer-Policy"] = "no-referrer"  # the link's secret never leaves in a Referer
    return response


@router.post("/password/{token}")
async def set_password(request: Request, advisory: Deps, token: str) -> Response:
    form = await request.form()
    if not anonymous_csrf_ok(request, form):
        return await set_page(request, advisory, token, status_code=403, errors={"password": STALE_FORM})
    try:
        await advisory.passwords.set_password(token, str(form.get("password", "")), str(form.get("repeat", "")))
    except LinkExpired as exc:
        return expired_page(request, exc)
    except Invalid as exc:
        message = exc.text(lambda text: gettext(request, text))
        return await set_page(request, advisory, token, status_code=422, errors={exc.field or "password": message})
    return RedirectResponse(f"{PREFIX}/login?done=password", status_code=303)


@router.post("/staff/{staff_id}/password-link")
async def send_link(request: Request, staff_id: str, advisory: Deps, principal: PageAdmin) -> Response:
    await posted(request, principal)
    try:
        await advisory.passwords.send_link(Actor.of(principal), staff_id)
    except AdvisoryError:
        return done(f"/staff/{quote(staff_id)}", "link-refused")
    return done(f"/staff/{quote(staff_id)}", "link")
