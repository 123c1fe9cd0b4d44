"""Staff sign-in: every staff endpoint refuses anonymous (401) and wrong-role (403) calls; tokens from
/api/v1/token verify against the JWKS the way other services verify them; forms without the CSRF token are
refused; failed logins are throttled per account and per client."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from koonto.advisory.main import create_runtime
from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, AdvisorySettings
from koonto.advisory.signing import rotate_local_keys
from koonto.shared.auth import SESSION_COOKIE, JwksCache, TokenVerifier
from koonto.shared.runtime import Runtime
from tests.advisory.integration.conftest import PASSWORD, bearer, token_for
from tests.support.services import client, running

PUBLIC = {
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/healthz",
    "/readyz",
    "/metrics",
    "/.well-known/jwks.json",
    "/api/v1/token",
    "/login",
    "/password/forgot",  # asking for a reset link, and setting a password through one: for the signed out
    "/password/{token}",
    "/login/sso",  # single sign-on: the start and the provider's way back
    "/login/sso/callback",
}
ANY_STAFF = {"/api/v1/me", "/logout"}
COORDINATOR_ONLY = re.compile(r"^(/api/v1/dead-letters|/dead-letters|/partners)")  # /partners: idea clusters


def advisor_refused(method: str, template: str) -> bool:
    """Staff administration is for admins (advisors may list colleagues), dead letters for coordinators."""
    if template.startswith("/staff"):
        return True
    if template.startswith("/api/v1/staff"):
        return method != "GET"
    return bool(COORDINATOR_ONLY.match(template))


def staff_endpoints(runtime: Runtime) -> list[tuple[str, str]]:
    endpoints = []
    for route in iter_route_contexts(runtime.app.routes):
        if not route.methods or route.path in PUBLIC:
            continue
        path = re.sub(r"\{[^}]+\}", "x-1", route.path)
        for method in sorted(route.methods - {"HEAD"}):
            endpoints.append((method, path, route.path))
    return endpoints


async def call(http: httpx.AsyncClient, method: str, path: str, **kw: Any) -> httpx.Response:
    return await http.request(method, path, json={} if method in ("POST", "PATCH", "PUT") else None, **kw)


async def test_every_staff_endpoint_refuses_anonymous_and_wrong_role_calls(
    runtime: Runtime, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    endpoints = staff_endpoints(runtime)
    assert len(endpoints) > 45  # the API and the pages are all in there
    for method, path, template in endpoints:
        anonymous = await call(http, method, path)
        assert anonymous.status_code == 401, (method, template, anonymous.status_code)
        forged = await call(http, method, path, headers={"Authorization": "Bearer not-a-token"})
        assert forged.status_code == 401, (method, template)
        funder = await call(http, method, path, headers=bearer(staff_tokens["funder"]))
        if template in ANY_STAFF:
            assert funder.status_code != 403, (method, template)
        else:
            assert funder.status_code == 403, (method, template, funder.status_code)  # funders see reports only
        advisor = await call(http, method, path, headers=bearer(staff_tokens["advisor"]))
        if advisor_refused(method, template):
            assert advisor.status_code == 403, (method, template, advisor.status_code)
        else:
            assert advisor.status_code not in (401, 403), (method, template, advisor.status_code)
    # the login page is what an anonymous visitor of a page gets, with a way back
    page = await http.get("/calls")
    assert page.status_code == 401 and 'name="password"' in page.text and 'value="/calls"' in page.text


async def test_a_deactivated_account_loses_access_at_once(
    http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    advisor = bearer(staff_tokens["advisor"])
    me = (await http.get("/api/v1/me", headers=advisor)).json()
    response = await http.patch(
        f"/api/v1/staff/{me['staff_id']}", headers=bearer(staff_tokens["admin"]), json={"active": False}
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert (await http.get("/api/v1/cases", headers=advisor)).status_code == 401
    token = await http.post("/api/v1/token", data={"username": "advisor@koonto.example", "password": PASSWORD})
    assert token.status_code == 401


async def test_token_verifies_against_the_jwks_like_other_services_do(
    http: httpx.AsyncClient, admin_token: str, staff_tokens: dict[str, str]
) -> None:
    jwks = (await http.get("/.well-known/jwks.json")).json()
    assert [k["kty"] for k in jwks["keys"]] == ["OKP"] and all("d" not in k for k in jwks["keys"])
    verifier = TokenVerifier(JwksCache(json.dumps(jwks)))
    principal = await verifier.verify(staff_tokens["coordinator"])
    assert principal.roles == ("coordinator",) and principal.email == "coordinator@koonto.example"
    admin = await verifier.verify(admin_token)
    assert admin.roles == ("admin",) and admin.email == DEMO_ADMIN_EMAIL
    bad = await http.post("/api/v1/token", data={"username": DEMO_ADMIN_EMAIL, "password": "wrong"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"


async def test_signing_key_survives_restarts_and_rotation_keeps_old_tokens_valid(
    runtime: Runtime, make_settings: Callable[..., AdvisorySettings], http: httpx.AsyncClient, admin_token: str
) -> None:
    settings: AdvisorySettings = runtime.settings  # type: ignore[assignment]
    first_kid = runtime.container.keys.kid
    again = create_runtime(make_settings())
    assert again.container.keys.kid == first_kid  # generated once into data_dir, reused

    rotate_local_keys(settings.data_dir)
    rotated = create_runtime(make_settings())
    async with running(rotated), client(rotated) as rotated_http:
        jwks = (await rotated_http.get("/.well-known/jwks.json")).json()
        assert len(jwks["keys"]) == 2 and jwks["keys"][1]["kid"] == first_kid
        verifier = TokenVerifier(JwksCache(json.dumps(jwks)))
        assert (await verifier.verify(admin_token)).roles == ("admin",)  # signed before the rotation
        fresh = await token_for(rotated_http, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
        import jwt

        assert jwt.get_unverified_header(fresh)["kid"] == rotated.container.keys.kid != first_kid
        assert (await rotated_http.get("/api/v1/me", headers=bearer(admin_token))).status_code == 200


async def test_pages_sign_in_with_a_cookie_and_refuse_forms_without_csrf(
    http: httpx.AsyncClient, staff_tokens: dict[str, str], runtime: Runtime
) -> None:
    form = await http.get("/login")
    login_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and login_csrf
    # a login post without the form's token is refused (login CSRF)
    refused = await http.post("/login", data={"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD})
    assert refused.status_code == 403 and SESSION_COOKIE not in refused.cookies
    response = await http.post(
        "/login",
        data={
            "email": DEMO_ADMIN_EMAIL,
            "password": DEMO_ADMIN_PASSWORD,
            "csrf_token": login_csrf.group(1),
            "next": "/calls",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/calls"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # local/test mode; production sets Secure
    page = await http.get("/calls")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf

    posts = [(m, p) for m, p, _ in staff_endpoints(runtime) if m == "POST" and not p.startswith("/api/")]
    assert len(posts) >= 14
    for _, path in posts:
        missing = await http.post(path, data={"name": "x"})
        assert missing.status_code == 403, (path, missing.status_code)
        wrong = await http.post(path, data={"name": "x", "csrf_token": "0" * 40})
        assert wrong.status_code == 403, path
    created = await http.post(
        "/calls",
        data={
            "csrf_token": csrf.group(1),
            "name": "Kevään haku",
            "funder": "Itä-Suomen elinvoimakeskus",
            "opens_on": "2027-01-10",
            "closes_on": "2027-03-01",
            "budget_eur": "200000",
        },
    )
    assert created.status_code == 303, created.text
    # sign out: the cookie goes
    out = await http.post("/logout", data={"csrf_token": csrf.group(1)})
    assert out.status_code == 303
    http.cookies.clear()
    assert (await http.get("/calls")).status_code == 401


@pytest.fixture
async def strict_runtime(make_settings: Callable[..., AdvisorySettings]) -> Any:
    rt = create_runtime(make_settings(login_max_failures_per_account=3, login_max_failures_per_client=5))
    async with running(rt), client(rt) as http:
        yield rt, http


async def test_failed_logins_are_throttled_per_account_and_per_client(strict_runtime: Any) -> None:
    runtime, http = strict_runtime
    from tests.support.polling import eventually

    await eventually(lambda: runtime.container.store.any_active_admin(), what="bootstrap admin")
    for _ in range(3):
        assert (
            await http.post("/api/v1/token", data={"username": DEMO_ADMIN_EMAIL, "password": "x"})
        ).status_code == 401
    # the right password does not help while the account is throttled: no guessing oracle
    throttled = await http.post("/api/v1/token", data={"username": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    # the same client trying other accounts runs into the per-client limit
    for i in range(2):
        assert (
            await http.post("/api/v1/token", data={"username": f"u{i}@koonto.example", "password": "x"})
        ).status_code == 401
    assert (
        await http.post("/api/v1/token", data={"username": "u9@koonto.example", "password": "x"})
    ).status_code == 429
    # and a second replica sees the same counters (they live in the store)
    twin = create_runtime(runtime.settings)
    async with running(twin), client(twin) as twin_http:
        response = await twin_http.post(
            "/api/v1/token", data={"username": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD}
        )
        assert response.status_code == 429
