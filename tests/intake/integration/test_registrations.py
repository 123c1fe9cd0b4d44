"""Trainings and forums from advisory's events; sign-ups with capacity and a waiting list."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

from koonto.shared.contracts.advisory import AttendanceRecorded, EventScheduled
from koonto.shared.contracts.intake import RegistrationReceived
from tests.intake.helpers import events_of, hidden, post_form, publish
from tests.support.polling import eventually, stays


def scheduled(capacity: int = 2, **overrides) -> EventScheduled:
    values = {
        "scheduled_event_id": str(uuid.uuid4()), "title": "Hankekoulutus: rahoitushaku tutuksi", "kind": "training",
        "starts_at": datetime.now(UTC) + timedelta(days=14), "place": "Kuopion kaupungintalo",
        "capacity": capacity, "municipality": "kuopio", "description": "Käydään läpi ESR+-haku.",
    }
    values.update(overrides)
    return EventScheduled(**values)


def sign_up(event_id: str, email: str, **overrides) -> dict:
    return {"scheduled_event_id": event_id, "participant": {"name": "Osallistuja", "email": email},
            "organisation_name": "Kyläyhdistys", "municipality": "kuopio", "consents": {"privacy_notice": True},
            **overrides}


async def test_registration_beyond_capacity_goes_to_the_waiting_list(intake, clean_stream) -> None:
    _runtime, http = intake
    event = scheduled(capacity=2)
    await publish(clean_stream, event)
    listing = await eventually(lambda: http.get("/events"), until=lambda r: event.title in r.text, what="listed")
    assert "2 paikkaa vapaana" in listing.text and "Koulutus" in listing.text

    answers = []
    for n in range(3):
        response = await http.post("/api/v1/registrations", json=sign_up(event.scheduled_event_id, f"o{n}@example.fi"))
        assert response.status_code == 201
        answers.append(response.json())
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]
    assert answers[2]["position_on_waitlist"] == 1

    # the same person again: the same registration, no new event
    again = await http.post("/api/v1/registrations", json=sign_up(event.scheduled_event_id, "o0@example.fi"))
    assert again.status_code == 200 and again.json()["registration_id"] == answers[0]["registration_id"]

    events = await eventually(lambda: events_of(clean_stream, RegistrationReceived), until=lambda e: len(e) == 3)
    by_email = {str(d.participant.email): d for _, d in events}
    assert by_email["o2@example.fi"].status == "waitlisted" and by_email["o2@example.fi"].position_on_waitlist == 1
    assert {d.status for d in by_email.values()} == {"confirmed", "waitlisted"}
    await stays(lambda: events_of(clean_stream, RegistrationReceived), until=lambda e: len(e) == 3, duration=0.5)

    full = await http.get("/events")
    assert "Täynnä" in full.text


async def test_registration_through_the_html_form(intake, clean_stream) -> None:
    _runtime, http = intake
    event = scheduled(capacity=1, kind="forum", title="Pohjois-Savon järjestöfoorumi")
    await publish(clean_stream, event)
    await eventually(lambda: http.get("/events"), until=lambda r: event.title in r.text)
    url = f"/events/{event.scheduled_event_id}/register"
    form = await http.get(url)
    assert form.status_code == 200 and 'name="participant.email"' in form.text
    base = {"form_token": hidden(form.text, "form_token"), "participant.name": "Pekka",
            "participant.language": "fi", "consents.privacy_notice": "yes"}

    invalid = await post_form(http, url, {**base, "participant.email": "pekka"})
    assert invalid.status_code == 422 and 'href="#participant-email"' in invalid.text
    unticked = {k: v for k, v in base.items() if k != "consents.privacy_notice"}
    refused = await post_form(http, url, {**unticked, "participant.email": "pekka@example.fi"})
    assert refused.status_code == 422 and 'href="#consents-privacy_notice"' in refused.text
    assert 'href="#consents"' not in refused.text and "käsitellä ilmoittautumisesi" in refused.text

    first = await post_form(http, url, {**base, "participant.email": "pekka@example.fi",
                                        "participant.phone": "040 1234567"})
    assert first.status_code == 200 and "Ilmoittautuminen vahvistettu" in first.text
    second = await post_form(http, url, {**base, "participant.email": "liisa@example.fi"})
    assert "Olet varasijalla" in second.text and re.search(r"Varasija\s+1", second.text)
    events = await eventually(lambda: events_of(clean_stream, RegistrationReceived), until=lambda e: len(e) == 2)
    pekka = next(d for _, d in events if str(d.participant.email) == "pekka@example.fi")
    assert pekka.participant.phone == "+358401234567"


async def test_unknown_past_or_held_events_take_no_sign_ups(intake, clean_stream) -> None:
    runtime, http = intake
    unknown = await http.post("/api/v1/registrations", json=sign_up("no-such-event", "a@example.fi"))
    assert unknown.status_code == 422 and "scheduled_event_id" in unknown.json()["errors"]
    held = scheduled()
    await publish(clean_stream, held)
    await eventually(lambda: http.get("/api/v1/events"), until=lambda r: len(r.json()) == 1)
    await publish(clean_stream, AttendanceRecorded(scheduled_event_id=held.scheduled_event_id, kind="training",
                                                   held_on=date.today(), participants_total=12))
    await eventually(lambda: http.get("/api/v1/events"), until=lambda r: r.json() == [], what="held event gone")
    refused = await http.post("/api/v1/registrations", json=sign_up(held.scheduled_event_id, "a@example.fi"))
    assert refused.status_code == 422
    assert (await http.get(f"/events/{held.scheduled_event_id}/register")).status_code == 404
    assert await runtime.db["registrations"].count_documents({}) == 0
