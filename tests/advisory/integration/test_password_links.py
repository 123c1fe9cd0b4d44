"""Staff passwords by one-time link, on real NATS and the store: an admin invites a new colleague (no password
typed by the admin), the colleague sets their own through the mailed link once; a forgotten password is reset
the same way, without telling whether an address has an account, throttled, and the old sign-ins end."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlsplit

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.clock import FixedClock
from tests.advisory.integration.conftest import Stream, bearer, token_for
from tests.advisory.integration.test_pages import csrf_of, sign_in

NEW_PASSWORD = "kesäinen-kylätalo-2027"


def path_of(url: str) -> str:
    return urlsplit(url).path


async def invite(http: httpx.AsyncClient, stream: Stream, email: str = "ville@koonto.example") -> str:
    """The admin adds an account through the staff page; the link of the invitation it causes."""
    csrf = await sign_in(http)
    added = await http.post("/staff", data={"csrf_token": csrf, "name": "Neuvoja Ville", "email": email,
                                            "roles": ["advisor"], "language": "sv"})
    assert added.status_code == 303 and added.headers["location"] == "/staff?done=invited"
    await http.post("/logout", data={"csrf_token": csrf})
    http.cookies.clear()
    [invitation] = await stream.wait_for("staff-password-link-issued", 1, settle=0,
                                         where=lambda e: e.data["email"] == email)
    assert invitation.data["purpose"] == "invitation" and invitation.data["language"] == "sv"
    return path_of(invitation.data["url"])


async def set_password(http: httpx.AsyncClient, link: str, password: str, repeat: str | None = None) -> httpx.Response:
    form = await http.get(link)
    assert form.status_code == 200, form.text[:300]
    return await http.post(link, data={"csrf_token": csrf_of(form.text), "password": password,
                                       "repeat": password if repeat is None else repeat})


async def test_an_invited_colleague_sets_their_own_password_once(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    link = await invite(http, stream)
    account = await advisory.store.staff_by_email("ville@koonto.example")
    assert account is not None and account["password_hash"] is None
    assert account["password_link"]["hash"] not in link  # the account keeps only the secret's digest
    refused = await http.post("/api/v1/token", data={"username": "ville@koonto.example", "password": "arvaus-2027"})
    assert refused.status_code == 401  # no password yet: nothing signs in

    page = await http.get(link)
    assert page.status_code == 200 and "ville@koonto.example" in page.text
    assert 'autocomplete="new-password"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    mismatch = await set_password(http, link, NEW_PASSWORD, "toinen-salasana-2027")
    assert mismatch.status_code == 422 and "Salasanat eivät ole samat." in mismatch.text
    short = await set_password(http, link, "lyhyt")
    assert short.status_code == 422 and "12 merkkiä" in short.text
    done = await set_password(http, link, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/login?done=password"
    assert "Salasana on asetettu" in (await http.get("/login?done=password")).text
    await token_for(http, "ville@koonto.example", NEW_PASSWORD)

    again = await http.get(link)
    assert again.status_code == 410 and "Linkki ei ole enää voimassa" in again.text
    csrf = csrf_of((await http.get("/login")).text)
    reused = await http.post(link, data={"csrf_token": csrf, "password": "kolmas-salasana-2027",
                                         "repeat": "kolmas-salasana-2027"})
    assert reused.status_code == 410
    await token_for(http, "ville@koonto.example", NEW_PASSWORD)  # the used link changed nothing


async def test_two_tabs_posting_the_same_link_at_once_set_one_password(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    link = await invite(http, stream)
    csrf = csrf_of((await http.get(link)).text)
    answers = await asyncio.gather(*(
        http.post(link, data={"csrf_token": csrf, "password": f"{w}-salasana-2027", "repeat": f"{w}-salasana-2027"})
        for w in ("eka", "toka", "kolmas")
    ))
    assert sorted(a.status_code for a in answers) == [303, 410, 410]
    [winner] = [word for word, a in zip(("eka", "toka", "kolmas"), answers, strict=True) if a.status_code == 303]
    await token_for(http, "ville@koonto.example", f"{winner}-salasana-2027")


async def test_a_reset_link_expires_after_an_hour_and_a_newer_one_replaces_it(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, clock: FixedClock
) -> None:
    await set_password(http, await invite(http, stream), NEW_PASSWORD)
    old_token = await token_for(http, "ville@koonto.example", NEW_PASSWORD)

    async def ask(email: str) -> httpx.Response:
        form = await http.get("/password/forgot")
        assert form.status_code == 200 and "Unohtunut salasana" in form.text
        return await http.post("/password/forgot", data={"csrf_token": csrf_of(form.text), "email": email})

    def resets(email: str = "ville@koonto.example"):  # type: ignore[no-untyped-def]
        return lambda e: e.data["email"] == email and e.data["purpose"] == "reset"

    for email in ("ville@koonto.example", "ei-tunnusta@koonto.example"):
        answer = await ask(email)  # the same answer whether or not there is an account
        assert answer.status_code == 200 and "Jos osoitteella on käytössä oleva tunnus" in answer.text
    [first] = await stream.wait_for("staff-password-link-issued", 1, where=resets())
    issued = await stream.of_type("staff-password-link-issued")
    assert all(e.data["email"] != "ei-tunnusta@koonto.example" for e in issued)
    clock.advance(timedelta(minutes=61))
    assert (await http.get(path_of(first.data["url"]))).status_code == 410  # a reset link lives an hour

    for n in (2, 3, 4):  # three resets within the next hour: each replaces the one before
        await ask("Ville@Koonto.example" if n == 2 else "ville@koonto.example")
        links = await stream.wait_for("staff-password-link-issued", n, settle=0, where=resets())
    second, third = links[1], links[-1]
    assert (await http.get(path_of(second.data["url"]))).status_code == 410  # replaced by a newer link
    assert (await ask("ville@koonto.example")).status_code == 200  # the fourth within the hour sends nothing
    await stream.wait_for("staff-password-link-issued", 4, where=resets())

    assert (await set_password(http, path_of(third.data["url"]), "syksyinen-kylätalo-2027")).status_code == 303
    me = await http.get("/api/v1/me", headers=bearer(old_token))
    assert me.status_code == 401  # a new password ends the sign-ins made before it
    await token_for(http, "ville@koonto.example", "syksyinen-kylätalo-2027")


async def test_an_admin_sends_a_new_link_instead_of_typing_a_password(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    await invite(http, stream)
    ville = await advisory.store.staff_by_email("ville@koonto.example")
    assert ville is not None
    csrf = await sign_in(http)
    page = await http.get(f"/staff/{ville['_id']}")
    assert 'name="password"' not in page.text and f'action="/staff/{ville["_id"]}/password-link"' in page.text
    sent = await http.post(f"/staff/{ville['_id']}/password-link", data={"csrf_token": csrf})
    assert sent.status_code == 303 and sent.headers["location"] == f"/staff/{ville['_id']}?done=link"
    links = await stream.wait_for("staff-password-link-issued", 2, settle=0,
                                  where=lambda e: e.data["email"] == "ville@koonto.example")
    assert [e.data["purpose"] for e in links] == ["invitation", "invitation"]  # still no password: invited again
    forged = await http.post(f"/staff/{ville['_id']}/password-link", data={"csrf_token": "väärä"})
    assert forged.status_code == 403
