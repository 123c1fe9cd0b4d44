"""Abuse without friction: the honeypot (counted, answered normally, nothing kept), the minimum fill time and
the form stamp (counted, asked to confirm with the answers kept, never a receipt for nothing),
a rate limit per client (counted by each replica), and the same idea twice giving the same reference."""

from __future__ import annotations

import asyncio
import re
from html import unescape

from koonto.intake.main import create_runtime
from koonto.shared.contracts.intake import IdeaSubmitted
from tests.intake.helpers import events_of, form_pairs, hidden, idea_body, post_form, publish
from tests.intake.integration.conftest import intake_settings
from tests.intake.integration.test_registrations import scheduled
from tests.support.polling import eventually, stays
from tests.support.services import client, running


async def counts(runtime) -> dict[str, int]:
    return {d["_id"]: d["count"] async for d in runtime.db["abuse_counters"].find()}


async def test_honeypot_gets_a_normal_answer_but_nothing_is_kept_and_it_is_counted(intake, clean_stream) -> None:
    runtime, http = intake
    form = await http.get("/ideas/new")
    answers = form_pairs(idea_body())
    bot = await post_form(http, "/ideas/new", [*answers, ("form_token", hidden(form.text, "form_token")),
                                               ("website", "http://spam.example")])
    assert bot.status_code == 303
    thanks = await http.get(bot.headers["location"])
    assert thanks.status_code == 200 and re.search(r'class="reference">KOO-\d{4}-\d{4}<', thanks.text)
    # the check step's honeypot too
    bot2 = await post_form(http, "/ideas/confirm", [*answers, ("form_token", hidden(form.text, "form_token")),
                                                    ("website", "x"), ("action", "submit")])
    assert bot2.status_code == 303
    assert await counts(runtime) == {"idea:honeypot": 2}
    assert await runtime.db["ideas"].count_documents({}) == 0
    assert await events_of(clean_stream, IdeaSubmitted) == []


def hidden_inputs(html: str) -> list[tuple[str, str]]:
    """Every hidden input of a page, as a browser would send it back."""
    return [(name, unescape(value)) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)]


async def test_a_too_fast_idea_is_never_told_it_was_stored_and_can_be_sent_from_the_check_page(
    start_intake, clean_stream
) -> None:
    async with start_intake(min_fill_seconds=60) as (runtime, http):
        form = await http.get("/ideas/new")
        token = hidden(form.text, "form_token")
        answers = form_pairs(idea_body(title="Nopeasti täytetty idea"))
        # the first step too fast (autofill): the ordinary check page, nothing stored, no receipt
        check = await post_form(http, "/ideas/new", [*answers, ("form_token", token)])
        assert check.status_code == 200 and "Tarkista vastauksesi ennen lähettämistä" in check.text
        assert "Vahvista lähetys" not in check.text and "Idea lähetetty" not in check.text
        # the check page's send, still within the minimum time, and one with no valid stamp: the check page
        # again, saying nothing was sent yet, the answers kept in it; never a receipt
        for stamp in (token, "forged"):
            again = await post_form(http, "/ideas/confirm", [*answers, ("form_token", stamp), ("action", "submit")])
            assert again.status_code == 200, again.text
            assert "Vahvista lähetys" in again.text and "Tietojasi ei ole vielä lähetetty." in again.text
            assert "Nopeasti täytetty idea" in again.text and "Idea lähetetty" not in again.text
            assert "KOO-" not in again.text
        swedish = await post_form(http, "/ideas/confirm?lang=sv", [*answers, ("form_token", token),
                                                                   ("action", "submit")])
        assert "Dina uppgifter har inte skickats ännu." in swedish.text
        assert await runtime.db["ideas"].count_documents({}) == 0
        assert await counts(runtime) == {"idea:too_fast": 3, "idea:form_token": 1}

        # sent from that page (its own fields, a moment later or at once): stored, with a real reference
        sent = await post_form(http, "/ideas/confirm", [*hidden_inputs(again.text), ("action", "submit")])
        assert sent.status_code == 303 and sent.headers["location"].startswith("/ideas/receipt/")
        receipt = await http.get(sent.headers["location"])
        reference = re.search(r'class="reference">(KOO-\d{4}-\d{4})<', receipt.text)
        assert reference, receipt.text
        status_token = sent.headers["location"].rsplit("/", 1)[-1]
        status = await http.get(f"/status/{status_token}")
        assert status.status_code == 200 and reference.group(1) in status.text
        stored = await runtime.db["ideas"].find_one({"reference": reference.group(1)})
        assert stored is not None and stored["title"] == "Nopeasti täytetty idea"
        events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 1)
        assert events[0][1].reference == reference.group(1)


async def test_a_too_fast_registration_or_subscription_gets_its_form_back_to_send_and_the_honeypot_drops(
    start_intake, clean_stream
) -> None:
    async with start_intake(min_fill_seconds=60) as (runtime, http):
        event = scheduled(capacity=5)
        await publish(clean_stream, event)
        url = f"/events/{event.scheduled_event_id}/register"
        form = await eventually(lambda: http.get(url), until=lambda r: r.status_code == 200, what="event known")
        answers = [("participant.name", "Nopea Nina"), ("participant.email", "nina@example.fi"),
                   ("participant.language", "fi"), ("consents.privacy_notice", "yes")]
        fast = await post_form(http, url, [*answers, ("form_token", hidden(form.text, "form_token"))])
        assert fast.status_code == 200 and "Vahvista lähetys" in fast.text
        assert "Ilmoittautuminen vahvistettu" not in fast.text
        assert 'value="nina@example.fi"' in fast.text and 'value="Nopea Nina"' in fast.text  # answers kept
        assert await runtime.db["registrations"].count_documents({}) == 0
        done = await post_form(http, url, [*answers, ("form_token", hidden(fast.text, "form_token"))])
        assert done.status_code == 200 and "Ilmoittautuminen vahvistettu" in done.text
        assert await runtime.db["registrations"].count_documents({}) == 1

        form = await http.get("/subscribe")
        answers = [("email", "nina@example.fi"), ("topics", "events"), ("language", "fi"),
                   ("consents.privacy_notice", "yes")]
        fast = await post_form(http, "/subscribe?lang=en", [*answers, ("form_token", hidden(form.text, "form_token"))])
        assert fast.status_code == 200 and "Your details have not been sent yet." in fast.text
        assert "Check your email" not in fast.text and 'value="nina@example.fi"' in fast.text
        assert await runtime.db["subscriptions"].count_documents({}) == 0
        done = await post_form(http, "/subscribe?lang=fi", [*answers, ("form_token", hidden(fast.text, "form_token"))])
        assert done.status_code == 200 and "Tarkista sähköpostisi" in done.text
        assert await runtime.db["subscriptions"].count_documents({}) == 1

        # the honeypot alone still drops, with the ordinary answer, on both forms
        trap = ("website", "http://spam.example")
        bot = await post_form(http, url, [("participant.email", "bot@example.fi"), *answers[1:], trap,
                                          ("form_token", hidden(form.text, "form_token"))])
        assert bot.status_code == 200 and "Ilmoittautuminen vahvistettu" in bot.text
        bot = await post_form(http, "/subscribe", [("email", "bot@example.fi"), *answers[1:], trap,
                                                   ("form_token", hidden(form.text, "form_token"))])
        assert bot.status_code == 200 and "Tarkista sähköpostisi" in bot.text
        assert await runtime.db["registrations"].count_documents({}) == 1
        assert await runtime.db["subscriptions"].count_documents({}) == 1
        assert await counts(runtime) == {
            "registration:too_fast": 1, "registration:honeypot": 1, "subscription:too_fast": 1,
            "subscription:honeypot": 1,
        }


async def test_a_person_who_takes_their_time_gets_through(start_intake) -> None:
    async with start_intake(min_fill_seconds=0.3) as (_, http):
        form = await http.get("/ideas/new")
        answers = [*form_pairs(idea_body()), ("form_token", hidden(form.text, "form_token"))]
        check = await eventually(
            lambda: post_form(http, "/ideas/new", answers), until=lambda r: "Tarkista vastauksesi" in r.text,
            interval=0.1, what="the form is accepted once the minimum time has passed",
        )
        assert check.status_code == 200


async def test_rate_limit_answers_429_with_retry_after_per_client_and_per_replica(
    clean_stream, mongo_url, db_names
) -> None:
    # 3 per 600 s: a burst of 3, then one more every 200 s
    settings = intake_settings(clean_stream, mongo_url, db_names["intake"], rate_limit_requests=3,
                               rate_limit_window_seconds=600, trust_forwarded_for=True)
    first, second = create_runtime(settings), create_runtime(settings)
    async with running(first), running(second), client(first) as a, client(second) as b:
        me = {"X-Forwarded-For": "203.0.113.7"}
        assert (await a.post("/api/v1/ideas", json=idea_body(title="1"), headers=me)).status_code == 201
        assert (await a.post("/api/v1/ideas", json=idea_body(title="2"), headers=me)).status_code == 201
        assert (await a.post("/api/v1/ideas", json={"bad": 1}, headers=me)).status_code == 422  # counts too
        limited = await a.post("/api/v1/ideas", json=idea_body(title="4"), headers=me)
        assert limited.status_code == 429
        assert 0 < int(limited.headers["Retry-After"]) <= 200
        assert "Liian monta lähetystä" in limited.json()["detail"]
        page = await a.post("/ideas/new", headers=me)
        assert page.status_code == 429 and "Retry-After" in page.headers and "<html" in page.text
        # another client is not affected
        other = await a.post("/api/v1/ideas", json=idea_body(title="5"), headers={"X-Forwarded-For": "198.51.100.1"})
        assert other.status_code == 201
        # the count lives in each replica's memory (documented in domain/rate_limit.py): the other replica has
        # its own bucket for the same client
        assert (await b.post("/api/v1/ideas", json=idea_body(title="6"), headers=me)).status_code == 201
        assert await first.db["ideas"].count_documents({}) == 4


async def test_a_client_writing_its_own_first_forwarded_hop_gets_no_more_ideas_past_the_limit(
    clean_stream, mongo_url, db_names
) -> None:
    # behind the shipped nginx ($proxy_add_x_forwarded_for): whatever the client sends comes first, the proxy
    # appends the address it saw; a fresh made-up first hop on every post must not buy a fresh bucket
    settings = intake_settings(clean_stream, mongo_url, db_names["intake"], rate_limit_requests=3,
                               rate_limit_window_seconds=600, trust_forwarded_for=True)
    runtime = create_runtime(settings)
    async with running(runtime), client(runtime) as http:
        answers = [
            await http.post("/api/v1/ideas", json=idea_body(title=f"Idea {i}"),
                            headers={"X-Forwarded-For": f"10.9.{i}.1, 203.0.113.7"})
            for i in range(10)
        ]
        assert [a.status_code for a in answers] == [201] * 3 + [429] * 7
        assert await runtime.db["ideas"].count_documents({}) == 3
        # two trusted proxies (an ingress in front of nginx): the client is the second hop from the right
        two = create_runtime(settings.model_copy(update={"trusted_proxy_hops": 2}))
        async with running(two), client(two) as http2:
            statuses = [
                (await http2.post("/api/v1/ideas", json=idea_body(title=f"Kaksi {i}"),
                                  headers={"X-Forwarded-For": f"10.8.{i}.1, 198.51.100.9, 10.0.0.{i}"})).status_code
                for i in range(5)
            ]
        assert statuses == [201] * 3 + [429] * 2


async def test_the_same_idea_twice_gets_the_same_reference_and_is_kept_once(intake, clean_stream) -> None:
    runtime, http = intake
    first = await http.post("/api/v1/ideas", json=idea_body())
    again = await http.post("/api/v1/ideas", json=idea_body())
    assert first.status_code == again.status_code == 201
    assert again.json()["reference"] == first.json()["reference"]
    # a double click: two requests at the same moment
    pair = await asyncio.gather(*(http.post("/api/v1/ideas", json=idea_body(title="Tuplaklikkaus"))
                                  for _ in range(2)))
    assert pair[0].json()["reference"] == pair[1].json()["reference"]
    assert await runtime.db["ideas"].count_documents({}) == 2
    events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 2)
    assert sorted(d.title for _, d in events) == ["Kylätalon kohtaamispaikka", "Tuplaklikkaus"]
    await stays(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 2, duration=1.0)


async def test_html_confirm_sent_twice_lands_on_the_same_receipt(intake) -> None:
    runtime, http = intake
    form = await http.get("/ideas/new")
    carried = [*form_pairs(idea_body()), ("form_token", hidden(form.text, "form_token")), ("action", "submit")]
    one = await post_form(http, "/ideas/confirm", carried)
    two = await post_form(http, "/ideas/confirm", carried)
    first, second = (await http.get(one.headers["location"])), (await http.get(two.headers["location"]))
    reference = re.search(r'class="reference">([^<]+)<', first.text)
    assert reference and reference.group(1) in second.text
    assert await runtime.db["ideas"].count_documents({}) == 1


async def test_idempotency_key_is_honoured(intake, clean_stream) -> None:
    runtime, http = intake
    key = {"Idempotency-Key": "b6c9a0a2-5f0e-4c55-9c9e-4d1c3f1f0001"}
    first = await http.post("/api/v1/ideas", json=idea_body(), headers=key)
    retry = await http.post("/api/v1/ideas", json=idea_body(), headers=key)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["reference"] == first.json()["reference"]
    assert retry.headers.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first.headers
    conflict = await http.post("/api/v1/ideas", json=idea_body(title="Eri idea"), headers=key)
    assert conflict.status_code == 409 and "Idempotency-Key" in conflict.json()["detail"]
    assert await runtime.db["ideas"].count_documents({}) == 1
    await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 1)
    await stays(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 1, duration=0.5)
