"""Staff on the event page: cancel a sign-up (asked of intake, which holds the seats) and raise the capacity;
the participant list follows intake's registration-cancelled / -promoted. Real NATS and store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.contracts.intake import Contact, RegistrationCancelled, RegistrationPromoted, RegistrationReceived
from tests.advisory.integration.conftest import Stream
from tests.advisory.integration.test_pages import sign_in
from tests.support.polling import eventually
from tests.support.samples import envelope


async def test_staff_cancel_a_sign_up_and_raise_the_capacity_on_the_event_page(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    csrf = await sign_in(http)
    created = await http.post("/events", data={
        "csrf_token": csrf, "title": "Hankeklinikka", "kind": "training", "starts_at": "2027-01-12T17:00",
        "place": "Kirjasto", "capacity": "1", "municipality": "kuopio",
    })
    assert created.status_code == 303
    event_id = (await advisory.store.list_events())[0]["_id"]
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    for n, status in enumerate(["confirmed", "waitlisted", "waitlisted"]):
        await stream.publish(envelope(RegistrationReceived(
            registration_id=f"reg-{n}", scheduled_event_id=event_id, status=status,  # type: ignore[arg-type]
            received_at=at + timedelta(minutes=n), position_on_waitlist=n or None,
            participant=Contact(name=f"Osallistuja {n}", email=f"o{n}@example.fi"),
        )))
    page = await eventually(lambda: http.get(f"/events/{event_id}"), until=lambda r: "Osallistuja 2" in r.text)
    assert page.text.count('/registrations/reg-') == 3 and "Nosta osallistujamäärää" in page.text

    forged = await http.post(f"/events/{event_id}/registrations/reg-0/cancel", data={"csrf_token": "x"})
    assert forged.status_code in (400, 403)
    cancel = await http.post(f"/events/{event_id}/registrations/reg-0/cancel", data={"csrf_token": csrf})
    assert cancel.status_code == 303 and cancel.headers["location"].endswith("?done=cancelled#registrations")
    [asked] = await stream.wait_for("registration-cancel-requested", 1)
    assert asked.data["registration_id"] == "reg-0" and asked.data["staff_id"]
    assert "Perutaan…" in (await http.get(f"/events/{event_id}")).text

    lowered = await http.post(f"/events/{event_id}/capacity", data={"csrf_token": csrf, "capacity": "0"})
    assert lowered.status_code == 422 and 'href="#capacity"' in lowered.text
    raised = await http.post(f"/events/{event_id}/capacity", data={"csrf_token": csrf, "capacity": "2"})
    assert raised.status_code == 303
    updates = await stream.wait_for("event-scheduled", 2)
    assert [(e.data["capacity"], e.data.get("updated", False)) for e in updates] == [(1, False), (2, True)]

    # intake's answer arrives: reg-0 cancelled, reg-1 and reg-2 promoted into the two seats
    await stream.publish(envelope(RegistrationCancelled(
        registration_id="reg-0", scheduled_event_id=event_id, cancelled_at=at + timedelta(hours=1), was="confirmed",
        cancelled_by="staff", staff_id=asked.data["staff_id"])))
    for n in (1, 2):
        await stream.publish(envelope(RegistrationPromoted(
            registration_id=f"reg-{n}", scheduled_event_id=event_id, promoted_at=at + timedelta(hours=1))))
    page = await eventually(lambda: http.get(f"/events/{event_id}"),
                            until=lambda r: "Vahvistettuja: 2 / 2" in r.text, what="the list follows intake")
    assert "Peruttu" in page.text and page.text.count('/registrations/reg-') == 2


async def test_the_check_in_list_shows_the_needs_and_records_who_came(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    csrf = await sign_in(http)
    created = await http.post("/events", data={
        "csrf_token": csrf, "title": "Kyläfoorumi", "kind": "forum", "starts_at": "2027-01-12T17:00",
        "place": "Seurantalo", "capacity": "10", "municipality": "iisalmi", "asks_dietary_needs": "1",
        "participant_list": "1", "what_to_bring": "Oma muki",
    })
    assert created.status_code == 303
    [announced] = await stream.wait_for("event-scheduled", 1)
    assert (announced.data["asks_dietary_needs"], announced.data["asks_accessibility_needs"],
            announced.data["participant_list"], announced.data["what_to_bring"]) == (True, False, True, "Oma muki")
    event_id = announced.data["scheduled_event_id"]
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    people = [("Aino", "woman", "vegaaninen", True), ("Bertta", None, None, False), ("Cecilia", "other", None, True)]
    for n, (name, gender, diet, listed) in enumerate(people):
        await stream.publish(envelope(RegistrationReceived(
            registration_id=f"c-{n}", scheduled_event_id=event_id, status="confirmed", received_at=at,
            participant=Contact(name=name, email=f"c{n}@example.fi"), organisation_name="Kylä ry",
            municipality="iisalmi", gender=gender, dietary_needs=diet, on_participant_list=listed,
        )))
    page = await eventually(lambda: http.get(f"/events/{event_id}/check-in"), until=lambda r: "Cecilia" in r.text)
    assert "Ruokavalio" in page.text and "vegaaninen" in page.text and "Osallistujalistalle: kyllä" in page.text
    assert page.text.count('type="checkbox" id="present-') == 3 and "@media print" not in page.text
    css = await http.get("/static/advisory/advisory.css")
    assert "@media print" in css.text and ".check-in-list" in css.text

    early = await http.post(f"/events/{event_id}/check-in", data={"csrf_token": csrf, "present": ["c-0"]})
    assert early.status_code == 422 and 'href="#present"' in early.text
    advisory.clock.set_day(datetime(2027, 1, 12).date())  # type: ignore[attr-defined]
    saved = await http.post(f"/events/{event_id}/check-in", data={"csrf_token": csrf, "present": ["c-0", "c-2"]})
    assert saved.status_code == 303
    [recorded] = await stream.wait_for("attendance-recorded", 1)
    assert (recorded.data["participants_total"], recorded.data["checked_in"], recorded.data["women"],
            recorded.data["other"], recorded.data["not_told"]) == (2, 2, 1, 1, 0)
    assert recorded.data["organisations"] == ["Kylä ry"]
    again = await http.get(f"/events/{event_id}/check-in")
    assert again.text.count(" checked>") == 2 and "Merkitty paikalla: 2" in again.text
