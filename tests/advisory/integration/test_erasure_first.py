"""An erasure that reaches advisory before the person's registration or idea (the consumers run side by side) is
honoured by them: the registration and the case are kept without the person's details, exactly as if the erasure
had come after (an erasure tombstone, docs/operations.md "Erasure tombstones")."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.shared.contracts.intake import Contact, ErasureRequested, RegistrationReceived
from tests.advisory.integration.conftest import Stream, bearer
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted


async def test_registration_and_idea_after_the_erasure_arrive_without_the_person(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    h = bearer(staff_tokens["coordinator"])
    created = await http.post("/api/v1/events", headers=h, json={
        "title": "Hankeklinikka", "kind": "training", "starts_at": "2027-02-03T15:00:00Z", "capacity": 5,
        "municipality": "kuopio", "place": "Kuopio"})
    assert created.status_code == 201, created.text
    event_id = created.json()["scheduled_event_id"]
    at = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)

    # the erasure first (written differently from the addresses that come later), and handled before the rest
    erased = envelope(ErasureRequested(request_id="er-9", requested_at=at, email="Maija@Example.FI", idea_ids=()),
                      subject="er-9")
    await stream.publish(erased)

    async def handled() -> bool:
        done = [d["_id"] async for d in advisory.store.store["processed_events"].find({}, {"_id": 1})]
        return any(key.endswith(f"/{erased.id}") for key in done)

    await eventually(handled, until=bool, what="the erasure handled")

    await stream.publish(envelope(RegistrationReceived(
        registration_id="reg-late", scheduled_event_id=event_id, status="confirmed", received_at=at,
        participant=Contact(name="Maija Meikäläinen", email="maija@example.fi", phone="+358401234567"),
        organisation_name="Kylä ry", municipality="kuopio",
    )))
    idea = idea_submitted(reference="KOO-2026-0077")
    await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 1, settle=0)

    # the participant list: the registration counts, the person is not there
    url = f"/api/v1/events/{event_id}/registrations"
    listed = await eventually(lambda: http.get(url, headers=h), until=lambda r: len(r.json()) == 1)
    registrant = listed.json()[0]
    assert (registrant["name"], registrant["email"], registrant["phone"]) == (None, None, None)
    assert registrant["status"] == "confirmed" and registrant["erased"] is True
    page = (await http.get(f"/events/{event_id}", headers=h, params={"lang": "fi"})).text
    assert "Maija" not in page and "maija@example.fi" not in page and "(tiedot poistettu)" in page

    # the case: opened, without contact, status link or a search by the person's name
    case_id = case_id_for(idea.idea_id)
    case = (await http.get(f"/api/v1/cases/{case_id}", headers=h)).json()
    assert case["reference"] == "KOO-2026-0077" and case.get("contact") is None and case.get("status_url") is None
    assert [c["reference"] for c in (await http.get("/api/v1/cases", headers=h)).json()] == ["KOO-2026-0077"]
    assert (await http.get("/api/v1/cases", headers=h, params={"q": "maija"})).json() == []
    case_page = (await http.get(f"/cases/{case_id}", headers=h, params={"lang": "fi"})).text
    assert "KOO-2026-0077" in case_page
    assert "Maija" not in case_page and "maija@example.fi" not in case_page and "4012345" not in case_page
    stored = await advisory.store.cases.find_one({"_id": case_id})
    assert stored is not None and "maija" not in str(stored).lower()


async def test_a_sign_up_made_after_the_erasure_is_a_new_one_and_keeps_the_person(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    """The tombstone covers what happened up to the erasure: the person who asked to be erased in January and signs
    up again in February is a participant like any other (an erasure-first tombstone without a time stripped them
    forever)."""
    h = bearer(staff_tokens["coordinator"])
    created = await http.post("/api/v1/events", headers=h, json={
        "title": "Verkostofoorumi", "kind": "forum", "starts_at": "2027-03-03T15:00:00Z", "capacity": 5,
        "municipality": "kuopio", "place": "Kuopio"})
    assert created.status_code == 201, created.text
    event_id = created.json()["scheduled_event_id"]
    erased_at = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)
    erased = envelope(ErasureRequested(request_id="er-10", requested_at=erased_at, email="maija@example.fi",
                                       idea_ids=()), subject="er-10")
    await stream.publish(erased)

    async def handled() -> bool:
        done = [d["_id"] async for d in advisory.store.store["processed_events"].find({}, {"_id": 1})]
        return any(key.endswith(f"/{erased.id}") for key in done)

    await eventually(handled, until=bool, what="the erasure handled")
    person = Contact(name="Maija Meikäläinen", email="maija@example.fi", phone="+358401234567")
    await stream.publish(envelope(RegistrationReceived(
        registration_id="reg-before", scheduled_event_id=event_id, status="confirmed",
        received_at=datetime(2027, 1, 19, 9, 0, tzinfo=UTC), participant=person,
    )))
    await stream.publish(envelope(RegistrationReceived(
        registration_id="reg-after", scheduled_event_id=event_id, status="confirmed",
        received_at=datetime(2027, 2, 1, 9, 0, tzinfo=UTC), participant=person,
    )))
    url = f"/api/v1/events/{event_id}/registrations"
    listed = await eventually(lambda: http.get(url, headers=h), until=lambda r: len(r.json()) == 2)
    by_id = {r["registration_id"]: r for r in listed.json()}
    assert by_id["reg-before"]["email"] is None and by_id["reg-before"]["erased"] is True
    assert by_id["reg-after"]["email"] == "maija@example.fi" and not by_id["reg-after"].get("erased")
    assert by_id["reg-after"]["name"] == "Maija Meikäläinen"
