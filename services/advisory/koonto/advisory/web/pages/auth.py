"""Signing in and out. An anonymous request to any page gets the login form (401), a wrong role a 403 page.

The login form carries its own CSRF token (an HMAC of a nonce kept in a cookie), since there is no session yet.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import container_of
from koonto.advisory.domain.errors import AdvisoryError, Throttled
from koonto.advisory.web.deps import PageAuthError, PageStaff, client_address
from koonto.advisory.web.errors import retry_after
from koonto.advisory.web.pages.common import PREFIX, gettext, posted, render
from koonto.shared.auth import CSRF_FIELD, SESSION_COOKIE
from koonto.shared.mongo import Document

LOGIN_COOKIE = "koonto_login"

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _login_csrf(request: Request, nonce: str) -> str:
    secret = container_of(request).settings.secret_key.encode()
    return hmac.new(secret, f"login:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def safe_next(value: str | None) -> str:
    """Only a path on this service: never another origin (`//host`, `/\\host`) after signing in."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and "\\" not in value:
        return value
    return "/"


def anonymous_page(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with a form for someone not signed in (login, password links): its CSRF token is an HMAC of a
    nonce kept in a cookie, since there is no session yet."""
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    request.state.principal = None
    response = render(request, template, status_code=status_code, login_csrf=_login_csrf(request, nonce), **context)
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        path="/",
        secure=not container_of(request).settings.is_local,
    )
    return response


def anonymous_csrf_ok(request: Request, form: FormData) -> bool:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    sent = str(form.get(CSRF_FIELD, ""))
    return bool(nonce) and hmac.compare_digest(sent.encode(), _login_csrf(request, nonce).encode())


def login_page(
    request: Request, *, next_path: str = "", status_code: int = 200, error: str = "", email: str = ""
) -> HTMLResponse:
    return anonymous_page(
        request,
        "login.html",
        status_code=status_code,
        page_title=gettext(request, "Kirjaudu"),
        next=safe_next(next_path),
        sso=container_of(request).settings.sso_enabled,
        sso_label=container_of(request).settings.oidc_button_label,
        password_login=container_of(request).settings.password_login,
        login_error=error,
        email=email,
    )


async def on_page_auth(request: Request, exc: Exception) -> Response:
    """Not signed in: the login form, coming back here after it (a GET; the board after a post). Signed in
    without the role: a 'not permitted' page."""
    assert isinstance(exc, PageAuthError)
    if exc.status_code == 401:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return login_page(request, next_path=wanted if request.method == "GET" else f"{PREFIX}/", status_code=401)
    return render(
        request,
        "message.html",
        status_code=403,
        reports_url=container_of(request).settings.reporting_url,
        heading=gettext(request, "Ei käyttöoikeutta"),
        text=gettext(request, "Roolisi ei salli tätä sivua. Kysy tarvittaessa pääkäyttäjältä."),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(PageAuthError, on_page_auth)


@router.get("/login")
async def login_form(request: Request, next: str = "") -> HTMLResponse:
    return login_page(request, next_path=next)


@router.post("/login")
async def login(request: Request) -> Response:
    advisory = container_of(request)
    form = await request.form()
    email = str(form.get("email", ""))[:320]
    next_path = str(form.get("next", ""))
    if not anonymous_csrf_ok(request, form):
        return login_page(
            request,
            status_code=403,
            email=email,
            next_path=next_path,
            error=gettext(request, "Lomakkeen tarkiste puuttuu tai on vanhentunut. Yritä uudelleen."),
        )
    try:
        staff = await advisory.auth.authenticate(email, str(form.get("password", "")), client_address(request))
    except AdvisoryError as exc:  # the form again, with the message: a wrong password (401) or too many (429)
        throttled = isinstance(exc, Throttled)
        response = login_page(
            request,
            status_code=429 if throttled else 401,
            email=email,
            error=exc.text(lambda message: gettext(request, message)),
            next_path=next_path,
        )
        if throttled:
            response.headers["Retry-After"] = retry_after(exc)
        return response
    return signed_in(request, staff, next_path)


def signed_in(request: Request, staff: Document, next_path: str) -> Response:
    """The session cookie of a staff member who just signed in (by password or through the identity provider),
    and on to where they were going."""
    advisory = container_of(request)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        advisory.auth.issue_token(staff),
        max_age=advisory.settings.staff_token_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=not advisory.settings.is_local,
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, principal: PageStaff) -> Response:
    await posted(request, principal)
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
