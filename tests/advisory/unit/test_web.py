"""web/: the routers on the in-memory store, through ASGI (no servers): domain errors are answered once (JSON
under /api/, the plain HTTP error for a page), forms show a refusal next to their field, posts redirect."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.web import ROUTERS, configure_app
from koonto.shared.i18n import language_middleware
from tests.advisory.unit.conftest import ADMIN

EMAIL, PASSWORD = "paa@koonto.example", "salasana-joka-kelpaa"


@pytest.fixture
async def http(deps: AdvisoryContainer) -> AsyncIterator[httpx.AsyncClient]:
    await deps.staff.create_staff(ADMIN, email=EMAIL, name="Pää Käyttäjä", roles=["admin"], password=PASSWORD)
    app = FastAPI()
    app.state.container = deps
    app.state.runtime = SimpleNamespace(
        region=deps.region, settings=deps.settings, token_verifier=deps.keyring.verifier()
    )
    for router in ROUTERS:
        app.include_router(router)
    configure_app(app, deps)
    app.middleware("http")(language_middleware)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://advisory.test") as client:
        yield client


async def token(http: httpx.AsyncClient) -> dict[str, str]:
    response = await http.post("/api/v1/token", data={"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient) -> str:
    form = await http.get("/login")
    response = await http.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 303, response.text
    return csrf_of((await http.get("/calls")).text)


async def test_the_api_answers_domain_errors_in_json(http: httpx.AsyncClient) -> None:
    headers = await token(http)
    missing = await http.get("/api/v1/cases/nope", headers=headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "Tapausta ei löydy."}
    backwards = {"name": "Haku", "funder": "Leader", "opens_on": "2027-02-01", "closes_on": "2027-01-01"}
    refused = await http.post("/api/v1/calls", json=backwards, headers=headers)
    assert refused.status_code == 422 and refused.json()["field"] == "closes_on"
    created = await http.post("/api/v1/calls", json={**backwards, "closes_on": "2027-03-01"}, headers=headers)
    assert created.status_code == 201 and created.json()["name"] == "Haku"


async def test_a_wrong_password_is_401_with_the_bearer_challenge_then_throttled(http: httpx.AsyncClient) -> None:
    answers = [await http.post("/api/v1/token", data={"username": EMAIL, "password": "väärä"}) for _ in range(6)]
    assert answers[0].status_code == 401 and answers[0].headers["WWW-Authenticate"] == "Bearer"
    assert answers[-1].status_code == 429 and "Retry-After" in answers[-1].headers
    assert "retry_after" in answers[-1].json()


async def test_pages_need_a_session_and_show_refusals_next_to_the_field(http: httpx.AsyncClient) -> None:
    anonymous = await http.get("/calls")
    assert anonymous.status_code == 401 and 'name="next" value="/calls"' in anonymous.text
    csrf = await sign_in(http)
    refused = await http.post("/calls", data={"csrf_token": csrf, "name": "Haku", "funder": "Leader"})
    assert refused.status_code == 422 and "Anna päivämäärä." in refused.text
    done = await http.post(
        "/calls",
        data={"csrf_token": csrf, "name": "Haku", "funder": "Leader", "opens_on": "2027-01-01",
              "closes_on": "2027-02-01"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/calls?done=call"
    forged = await http.post("/calls", data={"csrf_token": "wrong", "name": "Haku"})
    assert forged.status_code == 403


async def test_a_page_about_something_missing_is_a_plain_404(http: httpx.AsyncClient) -> None:
    csrf = await sign_in(http)
    for path in ("/cases/nope", "/calls/nope", "/events/nope", "/staff/nope"):
        response = await http.get(path)
        assert response.status_code == 404 and response.json()["detail"].endswith("ei löydy."), path
    posted = await http.post("/cases/nope/notes", data={"csrf_token": csrf, "text": "muistiin"})
    assert posted.status_code == 404 and posted.json() == {"detail": "Tapausta ei löydy."}
