"""Signing in through the organisation's identity provider (OpenID Connect): `/login/sso` starts it, the provider
sends the browser back to `/login/sso/callback`. What the sign-in started with (state, nonce, PKCE verifier, where
to go after) waits in a signed, HttpOnly cookie for ten minutes; the callback uses it once and deletes it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from koonto.advisory.bootstrap import Deps, container_of
from koonto.advisory.domain.errors import SignInRefused
from koonto.advisory.oidc import Pending
from koonto.advisory.use_cases.sso import PENDING_FOR
from koonto.advisory.web.pages.auth import safe_next, signed_in
from koonto.advisory.web.pages.common import PREFIX, gettext, render

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PENDING_COOKIE = "koonto_sso"


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(container_of(request).settings.secret_key, salt="koonto-sso-pending")


def _pending(request: Request) -> Pending | None:
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return None
    try:
        data: dict[str, Any] = _serializer(request).loads(raw, max_age=int(PENDING_FOR.total_seconds()))
        return Pending(**data)
    except (BadSignature, TypeError):
        return None


def refused_page(request: Request, exc: SignInRefused, status_code: int = 403) -> HTMLResponse:
    request.state.principal = None
    response = render(
        request, "message.html", status_code=status_code, heading=gettext(request, "Kirjautuminen ei onnistunut"),
        text=exc.text(lambda message: gettext(request, message)), login_link=True,
    )
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


@router.get("/login/sso")
async def start(request: Request, advisory: Deps, next: str = "") -> Response:
    if not advisory.sso.enabled:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    try:
        url, pending = await advisory.sso.begin(safe_next(next))
    except SignInRefused as exc:
        return refused_page(request, exc, status_code=503)  # the provider does not answer
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE, _serializer(request).dumps(pending.__dict__), max_age=int(PENDING_FOR.total_seconds()),
        httponly=True, samesite="lax", secure=not advisory.settings.is_local, path="/",
    )
    return response


@router.get("/login/sso/callback")
async def callback(request: Request, advisory: Deps, code: str = "", state: str = "", error: str = "") -> Response:
    if not advisory.sso.enabled:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    pending = _pending(request)
    if error:  # the person cancelled at the provider, or it refused them
        return refused_page(request, SignInRefused("Kirjautuminen peruttiin tunnistuspalvelussa."))
    try:
        staff = await advisory.sso.complete(code[:2000], state[:200], pending)
    except SignInRefused as exc:
        return refused_page(request, exc)
    response = signed_in(request, staff, pending.next_path if pending else "/")
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response
