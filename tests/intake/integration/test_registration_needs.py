"""The registration form asks what the event needs (dietary and accessibility needs, consent to a participant
list) and nothing else; what is told travels sealed in registration-received. Real NATS and store."""

from __future__ import annotations

from koonto.shared.contracts.intake import RegistrationReceived
from tests.intake.helpers import events_of, hidden, post_form, publish, stream_events
from tests.intake.integration.test_registrations import scheduled
from tests.support.polling import eventually


async def test_the_form_asks_only_what_the_event_needs_and_the_answers_travel_sealed(intake, clean_stream) -> None:
    _runtime, http = intake
    asking = scheduled(capacity=5, title="Foorumi tarjoiluineen", asks_dietary_needs=True,
                       asks_accessibility_needs=True, participant_list=True)
    plain = scheduled(capacity=5, title="Verkkokoulutus")
    for event in (asking, plain):
        await publish(clean_stream, event)
    await eventually(lambda: http.get("/events"), until=lambda r: plain.title in r.text and asking.title in r.text)

    form = await http.get(f"/events/{asking.scheduled_event_id}/register")
    for name in ("dietary_needs", "accessibility_needs", "consents.participant_list", "gender"):
        assert f'name="{name}"' in form.text
    other = await http.get(f"/events/{plain.scheduled_event_id}/register")
    assert 'name="dietary_needs"' not in other.text and 'name="consents.participant_list"' not in other.text
    assert 'name="gender"' in other.text

    url = f"/events/{asking.scheduled_event_id}/register"
    base = {"form_token": hidden(form.text, "form_token"), "participant.name": "Aino", "participant.language": "fi",
            "participant.email": "aino@example.fi", "consents.privacy_notice": "yes", "gender": "woman",
            "dietary_needs": "vegaaninen", "accessibility_needs": "induktiosilmukka",
            "consents.participant_list": "yes"}
    too_long = await post_form(http, url, {**base, "dietary_needs": "x" * 501})
    assert too_long.status_code == 422 and 'href="#dietary_needs"' in too_long.text
    assert "x" * 501 in too_long.text  # nothing typed is lost
    done = await post_form(http, url, base)
    assert done.status_code == 200 and "Ilmoittautuminen vahvistettu" in done.text

    [(_, data)] = await eventually(lambda: events_of(clean_stream, RegistrationReceived), until=lambda e: len(e) == 1)
    assert (data.gender, data.dietary_needs, data.accessibility_needs, data.on_participant_list) == (
        "woman", "vegaaninen", "induktiosilmukka", True)
    raw = [e for e in await stream_events(clean_stream) if e.type.endswith("registration-received.v1")]
    assert raw and all(str(raw[0].data[f]).startswith("enc:") for f in ("gender", "dietary_needs",
                                                                        "accessibility_needs"))


async def test_hostile_answers_get_a_clear_error_and_lose_nothing(intake, clean_stream) -> None:
    _runtime, http = intake
    event = scheduled(capacity=5, asks_dietary_needs=True)
    await publish(clean_stream, event)
    await eventually(lambda: http.get("/api/v1/events"), until=lambda r: len(r.json()) == 1)
    body = {"scheduled_event_id": event.scheduled_event_id, "participant": {"name": "A", "email": "a@example.fi"},
            "consents": {"privacy_notice": True}, "dietary_needs": {"$ne": None}, "gender": "$gt"}
    refused = await http.post("/api/v1/registrations", json=body, headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and {"dietary_needs", "gender"} <= set(refused.json()["errors"])

    form = await http.get(f"/events/{event.scheduled_event_id}/register")
    script = "<script>alert(1)</script> ja gluteeniton"
    again = await post_form(http, f"/events/{event.scheduled_event_id}/register", {
        "form_token": hidden(form.text, "form_token"), "participant.name": "A", "participant.email": "not-an-address",
        "consents.privacy_notice": "yes", "dietary_needs": script})
    assert again.status_code == 422 and "<script>alert(1)" not in again.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ja gluteeniton" in again.text  # kept, shown as text
