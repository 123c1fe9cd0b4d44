"""Double opt-in and one-click unsubscribe, end to end with the events they promise."""

from __future__ import annotations

from koonto.shared.contracts.intake import SubscriptionCancelled, SubscriptionConfirmed, SubscriptionRequested
from tests.intake.helpers import events_of, hidden, idea_body, post_form
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually, stays


async def test_double_opt_in_and_one_click_unsubscribe(intake, clean_stream) -> None:
    runtime, http = intake
    asked = await http.post("/api/v1/subscriptions", json={
        "email": "Liisa@Example.fi", "topics": ["call_announcements"], "language": "sv", "municipality": "iisalmi",
        "consents": {"privacy_notice": True},
    })
    assert asked.status_code == 202
    requested = await eventually(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 1)
    request = requested[0][1]
    assert request.topic == "call_announcements" and request.source == "subscription-form"
    assert request.language == "sv" and request.municipality == "iisalmi" and request.email == "liisa@example.fi"
    assert request.confirm_url.startswith(f"{PUBLIC}/subscriptions/confirm/")
    stored = await runtime.db["subscriptions"].find_one({})
    assert stored["status"] == "pending" and stored["requested_at"] and stored["source"] == "subscription-form"

    # a mail scanner opening the link confirms nothing: GET shows a button
    confirm_path = request.confirm_url.removeprefix(PUBLIC)
    page = await http.get(confirm_path)
    assert page.status_code == 200 and "<button" in page.text
    assert await events_of(clean_stream, SubscriptionConfirmed) == []
    assert (await post_form(http, confirm_path, {"csrf_token": "forged"})).status_code == 403
    done = await post_form(http, confirm_path, {"csrf_token": hidden(page.text, "csrf_token")})
    assert done.status_code == 200 and "Tilaus vahvistettu" in done.text
    again = await post_form(http, confirm_path, {"csrf_token": hidden(page.text, "csrf_token")})
    assert "Olit jo vahvistanut" in again.text

    confirmed = await eventually(lambda: events_of(clean_stream, SubscriptionConfirmed), until=lambda e: len(e) == 1)
    confirmation = confirmed[0][1]
    assert confirmation.subscription_id == request.subscription_id and confirmation.source == "subscription-form"
    assert confirmation.unsubscribe_url.startswith(f"{PUBLIC}/subscriptions/unsubscribe/")
    stored = await runtime.db["subscriptions"].find_one({})
    assert stored["status"] == "confirmed" and stored["confirmed_at"] and stored["requested_at"]  # consent kept

    # a second request for a confirmed subscription sends no new mail
    await http.post("/api/v1/subscriptions", json={"email": "liisa@example.fi", "topics": ["call_announcements"],
                                                   "consents": {"privacy_notice": True}})

    unsubscribe_path = confirmation.unsubscribe_url.removeprefix(PUBLIC)
    shown = await http.get(unsubscribe_path)
    assert shown.status_code == 200 and "<button" in shown.text
    # RFC 8058: the mail provider POSTs List-Unsubscribe=One-Click, with no cookie and no CSRF token
    one_click = await http.post(unsubscribe_path, content=b"List-Unsubscribe=One-Click",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status_code == 200 and "Tilaus peruttu" in one_click.text
    twice = await http.post(unsubscribe_path, content=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert twice.status_code == 200 and "jo peruttu" in twice.text

    cancelled = await eventually(lambda: events_of(clean_stream, SubscriptionCancelled), until=lambda e: len(e) == 1)
    assert cancelled[0][1].subscription_id == request.subscription_id
    await stays(lambda: events_of(clean_stream, SubscriptionCancelled), until=lambda e: len(e) == 1, duration=0.5)
    assert len(await events_of(clean_stream, SubscriptionRequested)) == 1
    assert len(await events_of(clean_stream, SubscriptionConfirmed)) == 1
    assert (await http.post(f"{unsubscribe_path}x")).status_code == 403


async def test_consents_in_the_idea_form_become_subscription_requests(intake, clean_stream) -> None:
    _, http = intake
    response = await http.post("/api/v1/ideas", json=idea_body(
        consents={"privacy_notice": True, "call_announcements": True, "newsletter": True}, contact__language="en"))
    assert response.status_code == 201
    requested = await eventually(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 2)
    assert sorted(d.topic for _, d in requested) == ["call_announcements", "newsletter"]
    assert {d.source for _, d in requested} == {"idea-form"}
    assert {d.language for _, d in requested} == {"en"} and {d.municipality for _, d in requested} == {"siilinjarvi"}


async def test_subscription_form_and_its_errors(intake, clean_stream) -> None:
    _runtime, http = intake
    form = await http.get("/subscribe")
    token = hidden(form.text, "form_token")
    bad = await post_form(http, "/subscribe", [("form_token", token), ("email", "x")])
    assert bad.status_code == 422 and 'href="#email"' in bad.text and 'href="#topics"' in bad.text
    assert 'href="#consents-privacy_notice"' in bad.text and 'href="#consents"' not in bad.text
    assert "jotta voimme lähettää tilaamasi tiedotteet" in bad.text  # not the idea form's wording
    ok = await post_form(http, "/subscribe", [
        ("form_token", token), ("email", "a@example.fi"), ("topics", "newsletter"), ("topics", "events"),
        ("language", "fi"), ("consents.privacy_notice", "yes"),
    ])
    assert ok.status_code == 200 and "Tarkista sähköpostisi" in ok.text
    requested = await eventually(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 2)
    assert sorted(d.topic for _, d in requested) == ["events", "newsletter"]


async def test_three_topics_at_once_are_one_request_with_one_link_whose_page_names_them_and_confirms_all(
    intake, clean_stream
) -> None:
    runtime, http = intake
    asked = await http.post("/api/v1/subscriptions", json={
        "email": "Kolme@Example.fi", "topics": ["call_announcements", "newsletter", "events"], "language": "fi",
        "consents": {"privacy_notice": True},
    })
    assert asked.status_code == 202
    requested = await eventually(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 3)
    events = [event for _, event in requested]
    assert {e.topic for e in events} == {"call_announcements", "newsletter", "events"}
    assert len({e.subscription_id for e in events}) == 3  # three subscriptions, each its own consent
    assert len({e.request_id for e in events}) == 1 and events[0].request_id  # ... asked in one request
    assert len({e.confirm_url for e in events}) == 1  # ... confirmed by one link
    assert all(e.topics == ("call_announcements", "newsletter", "events") for e in events)

    confirm_path = events[0].confirm_url.removeprefix(PUBLIC)
    page = await http.get(confirm_path)
    assert page.status_code == 200 and "kolme@example.fi" in page.text
    for name in ("Rahoitushakujen avautuminen", "Uutiskirje", "Koulutukset ja foorumit"):
        assert f"<li>{name}</li>" in page.text
    swedish = await http.get(confirm_path, headers={"Accept-Language": "sv"})
    assert "Nyhetsbrev" in swedish.text and "Ämnen att prenumerera på" in swedish.text
    done = await post_form(http, confirm_path, {"csrf_token": hidden(page.text, "csrf_token")})
    assert done.status_code == 200 and "Tilaus vahvistettu" in done.text
    confirmed = await eventually(lambda: events_of(clean_stream, SubscriptionConfirmed), until=lambda e: len(e) == 3)
    assert {event.topic for _, event in confirmed} == {"call_announcements", "newsletter", "events"}
    assert await runtime.db["subscriptions"].count_documents({"status": "confirmed"}) == 3

    # the same form again at once: all three are pending or confirmed, nothing new is asked
    await http.post("/api/v1/subscriptions", json={
        "email": "kolme@example.fi", "topics": ["call_announcements", "newsletter", "events"], "language": "fi",
        "consents": {"privacy_notice": True},
    })
    await stays(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 3, duration=1.0)
