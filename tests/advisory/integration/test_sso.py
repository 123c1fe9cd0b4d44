"""Staff single sign-on against a real OpenID Connect provider process (oidc-provider-mock, started here):
success by the staff record and by a role claim, a replayed answer, a stale or forged start, an unknown or
unverified person, and password sign-in turned off with the bootstrap admin still able to get in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from koonto.advisory.main import create_runtime
from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, AdvisorySettings
from koonto.shared.runtime import Runtime
from tests.advisory.integration.conftest import PASSWORD, Stream, bearer, token_for
from tests.support.polling import eventually
from tests.support.servers import oidc_provider
from tests.support.services import client, running

ROLE_MAP = {"koonto-neuvojat": "advisor", "koonto-koordinaattorit": "coordinator"}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = oidc_provider(tmp_path_factory.mktemp("oidc"))
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


@pytest.fixture
def sso_runtime(make_settings: Callable[..., AdvisorySettings], provider: str):  # type: ignore[no-untyped-def]
    async def start(**overrides: Any) -> AsyncIterator[Runtime]:
        settings = make_settings(oidc_issuer=provider, oidc_client_id="koonto-advisory",
                                 oidc_client_secret="provider-secret-for-tests", **overrides)
        rt = create_runtime(settings)
        async with running(rt):
            await eventually(lambda: rt.container.store.any_active_admin(), what="bootstrap admin")
            yield rt
    return start


async def person(provider: str, sub: str, **claims: Any) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.put(f"{provider}/users/{sub}", json={"email": sub, "email_verified": True, **claims})
        assert answer.status_code == 204, answer.text


async def sign_in_at_provider(http: httpx.AsyncClient, sub: str, next_path: str = "/calls") -> str:
    """Starts the sign-in at advisory, signs in as `sub` at the provider; the callback path it sends back."""
    started = await http.get(f"/login/sso?next={next_path}")
    assert started.status_code == 303 and "koonto_sso" in started.headers["set-cookie"]
    authorize = started.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    async with httpx.AsyncClient() as provider_http:
        answer = await provider_http.post(authorize, data={"sub": sub})
    assert answer.status_code in (302, 303), answer.text[:300]
    back = urlsplit(answer.headers["location"])
    assert back.path == "/login/sso/callback" and "code=" in back.query
    return f"{back.path}?{back.query}"


async def test_a_colleague_in_the_staff_records_signs_in_through_the_provider(
    sso_runtime, provider: str, stream: Stream
) -> None:  # type: ignore[no-untyped-def]
    async for rt in sso_runtime():
        async with client(rt) as http:
            admin = await token_for(http, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
            made = await http.post("/api/v1/staff", headers=bearer(admin), json={
                "email": "niina@koonto.example", "name": "Niina", "roles": ["advisor"], "password": PASSWORD})
            assert made.status_code == 201
            login = await http.get("/login")
            assert 'href="/login/sso' in login.text and "Kirjaudu organisaation tunnuksella" in login.text
            await person(provider, "Niina@Koonto.example", name="Niina N.")
            callback = await sign_in_at_provider(http, "Niina@Koonto.example")
            pending = http.cookies.get("koonto_sso")
            done = await http.get(callback)
            assert done.status_code == 303 and done.headers["location"] == "/calls", done.text[:400]
            assert "koonto_staff=" in done.headers["set-cookie"]
            calls = await http.get("/calls")
            assert calls.status_code == 200 and "Niina" in calls.text

            # the same answer of the provider again (a replayed state, even with the cookie put back)
            http.cookies.clear()
            assert pending
            http.cookies.set("koonto_sso", pending)
            again = await http.get(callback)
            assert again.status_code == 403 and "Aloita kirjautuminen alusta" in again.text
            assert (await http.get("/calls")).status_code == 401


async def test_unknown_unverified_and_forged_sign_ins_are_refused_with_a_page(
    sso_runtime, provider: str
) -> None:  # type: ignore[no-untyped-def]
    async for rt in sso_runtime():
        async with client(rt) as http:
            await person(provider, "vieras@muualla.example")
            refused = await http.get(await sign_in_at_provider(http, "vieras@muualla.example"))
            assert refused.status_code == 403 and "Pyydä pääkäyttäjää lisäämään sinut" in refused.text
            assert "koonto_staff=" not in refused.headers.get("set-cookie", "")

            await person(provider, "epavarma@koonto.example", email_verified=False)
            unverified = await http.get(await sign_in_at_provider(http, "epavarma@koonto.example"))
            assert unverified.status_code == 403 and "ei vahvistanut sähköpostiosoitettasi" in unverified.text

            # a callback this browser did not start (no pending cookie), and one with another state
            await person(provider, DEMO_ADMIN_EMAIL)
            callback = await sign_in_at_provider(http, "epavarma@koonto.example")
            http.cookies.clear()
            assert (await http.get(callback)).status_code == 403
            callback = await sign_in_at_provider(http, "epavarma@koonto.example")
            forged = callback.replace("state=", "state=x")
            assert (await http.get(forged)).status_code == 403
            cancelled = await http.get("/login/sso/callback?error=access_denied&state=x")
            assert cancelled.status_code == 403 and "peruttiin" in cancelled.text


async def test_roles_from_a_claim_create_the_account_and_follow_the_claim(
    sso_runtime, provider: str, stream: Stream
) -> None:  # type: ignore[no-untyped-def]
    async for rt in sso_runtime(oidc_roles_claim="groups", oidc_role_map=ROLE_MAP):
        async with client(rt) as http:
            await person(provider, "uusi@koonto.example", name="Uusi Neuvoja", groups=["koonto-neuvojat", "muut"])
            assert (await http.get(await sign_in_at_provider(http, "uusi@koonto.example"))).status_code == 303
            account = await rt.container.store.staff_by_email("uusi@koonto.example")
            assert account is not None and account["roles"] == ["advisor"] and account["name"] == "Uusi Neuvoja"
            assert account["password_hash"] is None and not account.get("password_link")  # SSO only: no invitation
            [created] = await stream.wait_for("staff-updated", 1, settle=0,
                                              where=lambda e: e.data["email"] == "uusi@koonto.example")
            assert created.data["roles"] == ["advisor"]

            http.cookies.clear()
            await person(provider, "uusi@koonto.example", name="Uusi Neuvoja", groups="koonto-koordinaattorit")
            assert (await http.get(await sign_in_at_provider(http, "uusi@koonto.example"))).status_code == 303
            account = await rt.container.store.staff_by_email("uusi@koonto.example")
            assert account is not None and account["roles"] == ["coordinator"] and account["token_generation"] == 1

            http.cookies.clear()
            await person(provider, "ei-ryhmaa@koonto.example", groups=["muut"])
            none = await http.get(await sign_in_at_provider(http, "ei-ryhmaa@koonto.example"))
            assert none.status_code == 403
            assert await rt.container.store.staff_by_email("ei-ryhmaa@koonto.example") is None


async def test_password_sign_in_turned_off_leaves_the_bootstrap_admin_a_way_in(
    sso_runtime, provider: str
) -> None:  # type: ignore[no-untyped-def]
    async for rt in sso_runtime(password_login=False):
        async with client(rt) as http:
            admin = await token_for(http, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)  # the way in if the provider fails
            made = await http.post("/api/v1/staff", headers=bearer(admin), json={
                "email": "niina@koonto.example", "name": "Niina", "roles": ["advisor"], "password": PASSWORD})
            assert made.status_code == 201
            refused = await http.post("/api/v1/token", data={"username": "niina@koonto.example", "password": PASSWORD})
            assert refused.status_code == 403
            page = await http.get("/login")
            assert "<details>" in page.text and "Unohditko salasanasi" not in page.text
            await person(provider, "niina@koonto.example")
            assert (await http.get(await sign_in_at_provider(http, "niina@koonto.example"))).status_code == 303


def test_settings_refuse_half_a_configuration(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CLIENT_ID"):
        AdvisorySettings(mode="test", data_dir=tmp_path, oidc_issuer="https://id.example.fi")
    with pytest.raises(ValueError, match="single sign-on"):
        AdvisorySettings(mode="test", data_dir=tmp_path, password_login=False)
    with pytest.raises(ValueError, match="roles"):
        AdvisorySettings(mode="test", data_dir=tmp_path, oidc_issuer="https://id.example.fi", oidc_client_id="k",
                         oidc_client_secret="s", oidc_role_map={"x": "superuser"})
