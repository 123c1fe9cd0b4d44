"""The staff pages: a whole working day through the browser forms (cookie session, CSRF tokens, redirects),
every page rendering with data in Finnish, Swedish and English, no JavaScript anywhere."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD
from tests.advisory.integration.conftest import Stream
from tests.support.samples import envelope, idea_submitted


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, email: str = DEMO_ADMIN_EMAIL, password: str = DEMO_ADMIN_PASSWORD) -> str:
    form = await http.get("/login")
    response = await http.post("/login", data={"email": email, "password": password, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 303, response.text
    board = await http.get("/")
    assert board.status_code == 200
    return csrf_of(board.text)


async def test_a_day_at_the_desk_through_the_pages(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    idea = idea_submitted(reference="KOO-2026-0777", title="Kyläkoulun liikuntailtapäivät")
    await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 1, settle=0)
    case_id = case_id_for(idea.idea_id)
    csrf = await sign_in(http)

    board = await http.get("/")
    assert "KOO-2026-0777" in board.text and "Idea vastaanotettu" in board.text and "<script" not in board.text
    assert (await http.get("/?municipality=kuopio")).text.count("KOO-2026-0777") == 0
    assert "KOO-2026-0777" in (await http.get("/?q=liikunta")).text

    # staff admin: a new advisor (who will get mail from notify: staff-updated)
    response = await http.post(
        "/staff",
        data={
            "csrf_token": csrf,
            "name": "Neuvoja Niina",
            "email": "niina@koonto.example",
            "roles": ["advisor"],
            "language": "fi",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff?done=invited", response.text
    [staff_event] = await stream.wait_for("staff-updated", 1, settle=0)
    assert staff_event.data["roles"] == ["advisor"] and staff_event.data["email"] == "niina@koonto.example"
    [invitation] = await stream.wait_for("staff-password-link-issued", 1, settle=0)
    assert invitation.data["purpose"] == "invitation" and invitation.data["email"] == "niina@koonto.example"
    bad = await http.post(
        "/staff", data={"csrf_token": csrf, "name": "X", "email": "ei-osoite", "roles": ["advisor"]},
    )
    assert bad.status_code == 422 and "Tarkista sähköpostiosoite" in bad.text and "error-summary" in bad.text

    # calls and the case's whole path through the forms
    response = await http.post(
        "/calls",
        data={
            "csrf_token": csrf,
            "name": "Kevään haku 2027",
            "funder": "Itä-Suomen elinvoimakeskus",
            "opens_on": "2026-12-01",
            "closes_on": "2027-02-15",
            "budget_eur": "300000",
            "url": "https://www.eura2021.fi/",
            "description": "ESF+",
        },
    )
    assert response.status_code == 303
    call_id = (await advisory.store.list_calls())[0]["_id"]
    page = await http.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "Maija Meikäläinen" in page.text
    for data in (
        {"to": "sparring"},
        {"to": "preparing"},  # no call: the form comes back with the error next to the field
    ):
        response = await http.post(f"/cases/{case_id}/transition", data={"csrf_token": csrf, **data})
    assert response.status_code == 422 and "Valitse rahoitushaku" in response.text
    response = await http.post(f"/cases/{case_id}/transition", data={"csrf_token": csrf, "to": "funded"})
    assert response.status_code == 409 and "ei ole sallittu" in response.text
    response = await http.post(
        f"/cases/{case_id}/transition", data={"csrf_token": csrf, "to": "preparing", "call_id": call_id}
    )
    assert response.status_code == 303 and response.headers["location"].startswith(f"/cases/{case_id}?done=moved")
    steps = [
        (
            "/sessions",
            {
                "kind": "video",
                "started_at": "2026-12-04T13:00",
                "duration_minutes": "90",
                "topics": "budjetti, aikataulu",
                "note": "Käytiin hakemus läpi.",
            },
        ),
        ("/notes", {"text": "Muista kysyä omarahoitusosuudesta."}),
        ("/messages", {"body": "Hei! Tässä hakemuksen tarkistuslista."}),
        ("/assignment", {"advisor_id": (await advisory.store.staff_by_email("niina@koonto.example"))["_id"]}),
        ("/followups", {"due_on": "2026-12-11", "note": "Kysy budjetista", "assignee_id": ""}),
    ]
    for path, data in steps:
        response = await http.post(f"/cases/{case_id}{path}", data={"csrf_token": csrf, **data})
        assert response.status_code == 303, (path, response.text[:500])
    detail = await http.get(f"/cases/{case_id}")
    for text in (
        "Videoyhteys",
        "90 min",
        "budjetti, aikataulu",
        "Muista kysyä",
        "tarkistuslista",
        "Neuvoja Niina",
        "11.12.2026",
        "Kevään haku 2027",
        "Hakemus valmisteilla",
    ):
        assert text in detail.text, text
    await stream.wait_for("session-logged", 1, settle=0)
    await stream.wait_for("association-messaged", 1, settle=0)
    await stream.wait_for("case-assigned", 1, settle=0)

    # follow-ups, calls, events and attendance, dead letters
    followups = await http.get("/followups?all=1")
    assert "KOO-2026-0777" in followups.text
    call_page = await http.get(f"/calls/{call_id}")
    assert "KOO-2026-0777" in call_page.text and "300\u00a0000\u00a0€" in call_page.text
    response = await http.post(
        "/events",
        data={
            "csrf_token": csrf,
            "title": "Hakuinfo Iisalmessa",
            "kind": "training",
            "starts_at": "2027-01-12T17:00",
            "ends_at": "2027-01-12T19:00",
            "place": "Kulttuurikeskus",
            "capacity": "40",
            "municipality": "iisalmi",
        },
    )
    assert response.status_code == 303, response.text
    event_id = (await advisory.store.list_events())[0]["_id"]
    attendance_form = {"csrf_token": csrf, "participants_total": "23", "women": "14", "men": "7", "other": "0"}
    too_early = await http.post(f"/events/{event_id}/attendance", data=attendance_form)  # on 4.12.2026
    assert too_early.status_code == 422
    assert "Osallistujia voi kirjata vasta, kun tilaisuus on alkanut." in too_early.text
    assert 'class="error-summary"' in too_early.text and 'href="#participants_total"' in too_early.text
    advisory.clock.set_day(date(2027, 1, 13))  # type: ignore[attr-defined]  # the day after the event
    response = await http.post(
        f"/events/{event_id}/attendance",
        data={
            "csrf_token": csrf,
            "participants_total": "23",
            "women": "14",
            "men": "7",
            "other": "0",
            "not_told": "",
            "organisations": "Iisalmen Urheilijat ry\nKylätoimikunta",
        },
    )
    assert response.status_code == 303
    [attendance] = await stream.wait_for("attendance-recorded", 1, settle=0)
    assert (attendance.data["participants_total"], attendance.data["not_told"]) == (23, 2)
    assert attendance.data["municipality"] == "iisalmi" and attendance.data["held_on"] == "2027-01-12"
    wrong = await http.post(
        f"/events/{event_id}/attendance", data={"csrf_token": csrf, "participants_total": "5", "women": "4", "men": "4"}
    )
    assert wrong.status_code == 422
    scheduled = (await stream.wait_for("event-scheduled", 1, settle=0))[0].data
    assert scheduled["starts_at"] == "2027-01-12T15:00:00Z" and scheduled["capacity"] == 40
    assert (await http.get("/dead-letters")).status_code == 200
    assert (await http.get("/staff")).status_code == 200

    # every page, in every language
    pages = [
        "/",
        f"/cases/{case_id}",
        "/followups",
        "/calls",
        f"/calls/{call_id}",
        "/events",
        f"/events/{event_id}",
        "/staff",
        "/dead-letters",
    ]
    for lang, word in (("fi", "Tapaukset"), ("sv", "Ärenden"), ("en", "Cases")):
        for path in pages:
            response = await http.get(path, params={"lang": lang})
            assert response.status_code == 200, (lang, path)
            assert word in response.text and f'<html lang="{lang}">' in response.text, (lang, path)
            assert "<script" not in response.text


async def test_an_anonymous_visitor_gets_the_login_form_and_comes_back(http: httpx.AsyncClient) -> None:
    page = await http.get("/calls?lang=sv")
    assert page.status_code == 401 and "Logga in" in page.text
    login = await http.post(
        "/login",
        data={
            "email": DEMO_ADMIN_EMAIL,
            "password": DEMO_ADMIN_PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/calls",
        },
    )
    assert login.status_code == 303 and login.headers["location"] == "/calls"
    again = await http.get("/login")  # the login form's token is used up by a sign-in
    evil = await http.post(
        "/login",
        data={
            "email": DEMO_ADMIN_EMAIL,
            "password": DEMO_ADMIN_PASSWORD,
            "csrf_token": csrf_of(again.text),
            "next": "//evil.example/",
        },
    )
    assert evil.headers["location"] == "/"


async def test_staff_pages_show_words_not_codes_and_every_form_error_at_once(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    """An idea from "Muu kunta" shows the municipality the association named; an amendment names the fields in
    words; a stage line has no space before its colon; the empty call form lists every error in its summary."""
    from koonto.shared.contracts.intake import Contact, IdeaAmended, Organisation

    idea = idea_submitted(
        reference="KOO-2026-0888",
        organisation=Organisation(name="Rajan ry", type="registered_association", municipality="other",
                                  municipality_other="Pielavesi"),
    )
    await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 1, settle=0)
    await stream.publish(envelope(IdeaAmended(
        idea_id=idea.idea_id, reference=idea.reference, amended_at=idea.submitted_at,
        changed_fields=("contact.phone", "description"), description="Uusi kuvaus",
        contact=Contact(name="Maija", email="maija@example.fi", phone="+358401112223"),
    )))
    case_id = case_id_for(idea.idea_id)
    csrf = await sign_in(http)
    for _ in range(100):
        detail = (await http.get(f"/cases/{case_id}")).text
        if "Uusi kuvaus" in detail:
            break
        await asyncio.sleep(0.1)
    assert "<dd>Pielavesi</dd>" in detail and ">other<" not in detail
    assert "Rajan ry · Pielavesi" in (await http.get("/")).text
    assert "Yhdistys täydensi tietoja</strong>: Puhelin, Kuvaus" in detail and "contact.phone" not in detail
    response = await http.post(f"/cases/{case_id}/transition", data={"csrf_token": csrf, "to": "sparring"})
    assert response.status_code == 303, response.text[:300]
    detail = (await http.get(f"/cases/{case_id}")).text
    assert "Vaihe vaihtui</strong>: Idea vastaanotettu → Sparrauksessa" in detail
    assert not re.search(r"\s:\s", re.sub(r"<[^>]+>", "", detail.split('id="timeline"')[1]))
    swedish = (await http.get(f"/cases/{case_id}", params={"lang": "sv"})).text
    assert "Sparras" in swedish and "Under sparrning" not in swedish

    empty = await http.post("/calls?lang=fi", data={"csrf_token": csrf, "name": "", "funder": "", "opens_on": "",
                                            "closes_on": "", "budget_eur": "", "url": "ftp://x"})
    assert empty.status_code == 422
    summary = empty.text.split('class="error-summary"')[1].split("</div>")[0]
    for field, message in (("name", "Kirjoita haun nimi."), ("funder", "Kirjoita rahoittaja."),
                           ("opens_on", "Anna päivämäärä."), ("closes_on", "Anna päivämäärä."),
                           ("url", "Linkin pitää alkaa https://")):
        assert f'href="#{field}"' in summary and message in summary, field
    assert summary.index("#name") < summary.index("#opens_on") < summary.index("#url")


async def test_an_account_changed_through_its_page_keeps_what_the_form_left_empty(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    """The account form: a new name and roles, an unticked "active" deactivates, an empty password keeps the old
    one; a wrong value shows the account again with the message (422) and changes nothing."""
    csrf = await sign_in(http)
    created = await http.post(
        "/staff",
        data={"csrf_token": csrf, "name": "Neuvoja Noora", "email": "noora@koonto.example", "roles": ["advisor"]},
    )
    assert created.status_code == 303, created.text[:300]
    noora = await advisory.store.staff_by_email("noora@koonto.example")
    assert noora is not None and noora["language"] == "fi" and noora["active"] is True
    staff_id, password_hash = noora["_id"], noora["password_hash"]

    changed = await http.post(
        f"/staff/{staff_id}",
        data={"csrf_token": csrf, "name": "Noora Neuvoja", "roles": ["advisor", "coordinator"], "password": ""},
    )
    assert changed.status_code == 303 and changed.headers["location"] == f"/staff/{staff_id}?done=staff"
    after = await advisory.store.staff_by_id(staff_id)
    assert after is not None
    assert after["name"] == "Noora Neuvoja" and sorted(after["roles"]) == ["advisor", "coordinator"]
    assert not after["active"]
    assert after["password_hash"] == password_hash

    refused = await http.post(
        f"/staff/{staff_id}", data={"csrf_token": csrf, "roles": ["advisor"], "active": "1", "password": "lyhyt"}
    )
    assert refused.status_code == 422 and "12 merkkiä" in refused.text and "Noora Neuvoja" in refused.text
    unchanged = await advisory.store.staff_by_id(staff_id)
    assert unchanged is not None and not unchanged["active"] and len(unchanged["roles"]) == 2
