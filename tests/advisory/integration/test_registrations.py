"""registration-received becomes the event's participant list for the staff: once per registration, confirmed
first and then the waiting list in order, and an erasure request removes the person's details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from koonto.shared.contracts.intake import Contact, ErasureRequested, RegistrationReceived
from tests.advisory.integration.conftest import Stream, bearer
from tests.support.polling import eventually
from tests.support.samples import envelope


async def test_participant_list_from_registrations_with_waiting_list_and_erasure(
    stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    token = staff_tokens["coordinator"]
    created = await http.post(
        "/api/v1/events",
        headers=bearer(token),
        json={"title": "Hankeklinikka", "kind": "training", "starts_at": "2027-02-03T15:00:00Z", "capacity": 2,
              "municipality": "kuopio", "place": "Kuopio"},
    )
    assert created.status_code == 201, created.text
    event_id = created.json()["scheduled_event_id"]
    at = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)

    def registration(n: int, name: str, email: str, status: str, position: int | None = None) -> RegistrationReceived:
        return RegistrationReceived(
            registration_id=f"reg-{n}", scheduled_event_id=event_id, status=status,  # type: ignore[arg-type]
            received_at=at + timedelta(minutes=n), position_on_waitlist=position,
            participant=Contact(name=name, email=email, phone="+358401234567" if n == 1 else None),
            organisation_name="Kylä ry" if n == 1 else None, municipality="kuopio" if n == 1 else "other",
        )

    first = envelope(registration(1, "Maija", "Maija@Example.fi", "confirmed"))
    await stream.publish(envelope(registration(3, "Olli", "olli@example.fi", "waitlisted", 1)))
    await stream.publish(first)
    await stream.publish(first, message_id=f"{first.id}-again")  # a redelivery past the duplicate window
    await stream.publish(envelope(registration(2, "Pekka", "pekka@example.fi", "confirmed")))

    url = f"/api/v1/events/{event_id}/registrations"
    listed = await eventually(lambda: http.get(url, headers=bearer(token)), until=lambda r: len(r.json()) == 3,
                              what="three registrations")
    rows = listed.json()
    assert [(r["registration_id"], r["status"]) for r in rows] == [
        ("reg-1", "confirmed"), ("reg-2", "confirmed"), ("reg-3", "waitlisted")]
    assert rows[0]["email"] == "maija@example.fi" and rows[0]["organisation_name"] == "Kylä ry"
    assert (await http.get(url)).status_code == 401
    assert (await http.get("/api/v1/events/no-such-event/registrations", headers=bearer(token))).status_code == 404

    page = await http.get(f"/events/{event_id}", headers=bearer(token), params={"lang": "sv"})
    assert page.status_code == 200
    text = page.text
    assert "Anmälda" in text and "Bekräftade: 2 / 2. I kö: 1." in text
    assert text.index("Maija") < text.index("Pekka") < text.index("Olli")
    assert 'href="mailto:maija@example.fi"' in text and "+358401234567" in text and "Kylä ry" in text
    # a registrant from outside the region's list: "Annan kommun" in the cell, never an empty one or the code
    assert text.count('data-label="Kommun">Annan kommun</td>') == 2, text
    assert 'data-label="Kommun">Kuopio</td>' in text and ">other<" not in text

    erasure = ErasureRequested(request_id="er-1", requested_at=at, email="maija@example.fi", idea_ids=())
    await stream.publish(envelope(erasure, subject="er-1"))
    erased = await eventually(lambda: http.get(url, headers=bearer(token)),
                              until=lambda r: r.json()[0].get("erased") is True, what="details erased")
    kept = erased.json()[0]
    assert (kept["name"], kept["email"], kept["phone"]) == (None, None, None) and kept["status"] == "confirmed"
    page = (await http.get(f"/events/{event_id}", headers=bearer(token), params={"lang": "fi"})).text
    assert "Maija" not in page and "(tiedot poistettu)" in page and "Vahvistettuja: 2 / 2. Jonossa: 1." in page
