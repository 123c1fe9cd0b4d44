"""Ideas through the API and the HTML form: stored once, published once, refused with a message per field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from koonto.intake.domain.identifiers import normalise_business_id
from koonto.intake.domain.reference import REFERENCE_PATTERN
from koonto.shared.contracts.intake import IdeaSubmitted
from tests.intake.helpers import DELETE, events_of, form_pairs, hidden, idea_body, post_form
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually, stays


async def idea_events(nats_url: str) -> list[Any]:
    return await events_of(nats_url, IdeaSubmitted)


async def test_valid_idea_through_the_api_is_stored_once_and_published_once(intake, clean_stream) -> None:
    runtime, http = intake
    response = await http.post("/api/v1/ideas", json=idea_body())
    assert response.status_code == 201
    body = response.json()
    assert REFERENCE_PATTERN.match(body["reference"]) and body["reference"].startswith("KOO-")
    assert body["status_url"].startswith(f"{PUBLIC}/status/")

    assert await runtime.db["ideas"].count_documents({}) == 1
    events = await eventually(lambda: idea_events(clean_stream), until=lambda e: len(e) == 1, what="idea-submitted")
    envelope, data = events[0]
    assert data.reference == body["reference"] and data.status_url == body["status_url"]
    assert data.contact.phone == "+358401234567" and data.organisation.business_id == "1572860-0"
    assert envelope.subject == data.idea_id and envelope.region == "pohjois-savo"
    await stays(lambda: idea_events(clean_stream), until=lambda e: len(e) == 1, duration=1.0)


async def test_references_are_sequential_within_the_year(intake) -> None:
    _, http = intake
    refs = [(await http.post("/api/v1/ideas", json=idea_body(title=f"Idea {i}"))).json()["reference"]
            for i in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert len({r.rsplit("-", 1)[0] for r in refs}) == 1


async def test_valid_idea_through_the_html_form_with_check_step_and_receipt(intake, clean_stream) -> None:
    runtime, http = intake
    form = await http.get("/ideas/new")
    assert form.status_code == 200 and 'name="organisation.name"' in form.text
    # the hint's example Y-tunnus is itself a valid one (the check digit holds), in every language
    for language in ("fi", "sv", "en"):
        page = (await http.get("/ideas/new", params={"lang": language})).text
        [example] = re.findall(r"\b(\d{7}-\d)\b", page.split('id="organisation-business_id-hint"')[1][:400])
        assert normalise_business_id(example) == example, (language, example)
        assert "1234567-8" not in page
    await http.get("/ideas/new", params={"lang": "fi"})
    token = hidden(form.text, "form_token")
    answers = form_pairs(idea_body(consents={"privacy_notice": True}))

    check = await post_form(http, "/ideas/new", [*answers, ("form_token", token), ("website", "")])
    assert check.status_code == 200
    assert "Tarkista vastauksesi" in check.text and "Kylätalon kohtaamispaikka" in check.text
    assert "<dd>040 123 4567</dd>" in check.text  # as the person wrote it, formatted nationally, not +358401234567
    assert "<dd>+358401234567</dd>" not in check.text
    assert "linkin tilasivulle sähköpostiisi.</p>" in check.text  # where the receipt will come
    by_sms = form_pairs(idea_body(contact__channel="sms"))
    sms_check = await post_form(http, "/ideas/new", [*by_sms, ("form_token", token), ("website", "")])
    assert "linkin tilasivulle sähköpostiisi ja tekstiviestinä.</p>" in sms_check.text
    assert await runtime.db["ideas"].count_documents({}) == 0  # nothing is stored before the answers are sent

    # "change your answers" goes back to the form with every value kept
    carried = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text)
    edit = await post_form(http, "/ideas/confirm", [*carried, ("action", "edit")])
    assert edit.status_code == 200 and 'value="Kyläyhdistys Toivala ry"' in edit.text

    sent = await post_form(http, "/ideas/confirm", [*carried, ("action", "submit")])
    assert sent.status_code == 303 and sent.headers["location"].startswith("/ideas/receipt/")
    receipt = await http.get(sent.headers["location"])
    reference = re.search(r'class="reference">([^<]+)<', receipt.text)
    assert receipt.status_code == 200 and reference and REFERENCE_PATTERN.match(reference.group(1))
    assert 'class="panel"' in receipt.text

    assert await runtime.db["ideas"].count_documents({}) == 1
    events = await eventually(lambda: idea_events(clean_stream), until=lambda e: len(e) == 1, what="idea-submitted")
    assert events[0][1].reference == reference.group(1)
    await stays(lambda: idea_events(clean_stream), until=lambda e: len(e) == 1, duration=1.0)


INVALID = [
    ({"organisation__business_id": "1572860-1"}, "organisation.business_id",
     "Y-tunnuksen tarkiste ei täsmää", "kontrollsiffra", "check digit"),
    ({"contact__phone": "040 12"}, "contact.phone", "Puhelinnumero ei kelpaa", "Telefonnumret", "phone number"),
    ({"contact__email": "maija(at)example.fi"}, "contact.email", "Sähköpostiosoite ei kelpaa", "E-postadressen",
     "email address"),
    ({"organisation__municipality": "helsinki"}, "organisation.municipality", "Valitse kunta", "Välj", "Choose"),
    ({"consents__privacy_notice": False}, "consents.privacy_notice", "Hyväksy tietosuojaseloste",
     "dataskyddsbeskrivningen", "privacy notice"),
    ({"consents__privacy_notice": DELETE}, "consents.privacy_notice", "Hyväksy tietosuojaseloste",
     "dataskyddsbeskrivningen", "privacy notice"),
    ({"priority": "high"}, "priority", "Tuntematon kenttä", "Okänt fält", "Unknown field"),
    ({"organisation__color": "red"}, "organisation.color", "Tuntematon kenttä", "Okänt fält", "Unknown field"),
]


@pytest.mark.parametrize(("overrides", "field", "fi", "sv", "en"), INVALID, ids=[row[1] + "-" + str(i)
                                                                                  for i, row in enumerate(INVALID)])
async def test_invalid_idea_is_refused_per_field_in_the_asked_language_and_nothing_happens(
    intake, clean_stream, overrides: dict[str, Any], field: str, fi: str, sv: str, en: str
) -> None:
    runtime, http = intake
    body = idea_body(**overrides)
    finnish = await http.post("/api/v1/ideas", json=body)
    assert finnish.status_code == 422
    assert finnish.json()["detail"] == "Tarkista lomakkeen tiedot."
    assert fi in finnish.json()["errors"][field]
    swedish = await http.post("/api/v1/ideas", json=body, headers={"Accept-Language": "sv-FI,sv;q=0.9"})
    assert swedish.status_code == 422 and sv in swedish.json()["errors"][field]
    english = await http.post("/api/v1/ideas?lang=en", json=body)
    assert english.status_code == 422 and en in english.json()["errors"][field]
    assert english.headers["content-language"] == "en"

    assert await runtime.db["ideas"].count_documents({}) == 0
    # a valid idea afterwards is the only thing that reaches the stream
    assert (await http.post("/api/v1/ideas", json=idea_body(title="Kelvollinen"))).status_code == 201
    events = await eventually(lambda: idea_events(clean_stream), until=lambda e: len(e) >= 1)
    assert [data.title for _, data in events] == ["Kelvollinen"]


async def test_oversized_and_malformed_bodies_are_refused(intake, clean_stream) -> None:
    runtime, http = intake
    huge = idea_body(description="x" * (70 * 1024))
    too_big = await http.post("/api/v1/ideas", json=huge)
    assert too_big.status_code == 413 and "liian suuri" in too_big.json()["detail"]
    too_big_en = await http.post("/api/v1/ideas", json=huge, headers={"Accept-Language": "en"})
    assert too_big_en.status_code == 413 and "too large" in too_big_en.json()["detail"]
    form_too_big = await post_form(http, "/ideas/new", {"description": "x" * (70 * 1024)})
    assert form_too_big.status_code == 413
    broken = await http.post("/api/v1/ideas", content=b'{"title": ', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    not_json = await http.post("/api/v1/ideas", content=b"title=x", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 415
    not_object = await http.post("/api/v1/ideas", json=["a"])
    assert not_object.status_code == 422 and "body" in not_object.json()["errors"]
    too_long = await http.post("/api/v1/ideas", json=idea_body(description="x" * 5001))
    assert too_long.status_code == 422 and "5000" in too_long.json()["errors"]["description"]
    assert await runtime.db["ideas"].count_documents({}) == 0
    assert await idea_events(clean_stream) == []


async def test_html_form_errors_follow_the_gov_uk_pattern(intake) -> None:
    runtime, http = intake
    form = await http.get("/ideas/new")
    answers = form_pairs(idea_body(organisation__business_id="1572860-1", contact__phone="12"))
    page = await post_form(http, "/ideas/new", [*answers, ("form_token", hidden(form.text, "form_token"))])
    assert page.status_code == 422
    html = page.text
    summary = html.index('class="error-summary"')
    assert summary < html.index("<form")  # the summary is at the top, before the form
    assert 'href="#organisation-business_id"' in html and 'href="#contact-phone"' in html
    assert 'id="organisation-business_id"' in html and 'id="organisation-business_id-error"' in html
    assert re.search(r'id="organisation-business_id"[^>]*aria-describedby="[^"]*organisation-business_id-error', html)
    assert 'value="1572860-1"' in html and 'value="Kyläyhdistys Toivala ry"' in html  # values kept
    assert 'aria-invalid="true"' in html
    assert await runtime.db["ideas"].count_documents({}) == 0

    swedish = await post_form(http, "/ideas/new?lang=sv", [*answers, ("form_token", hidden(form.text, "form_token"))])
    assert "kontrollsiffra" in swedish.text and '<html lang="sv">' in swedish.text


async def test_form_with_no_box_ticked_names_the_privacy_notice_only(intake) -> None:
    """A browser sends nothing for unticked boxes: the answer is "not accepted", not a missing group."""
    runtime, http = intake
    form = await http.get("/ideas/new")
    answers = [(k, v) for k, v in form_pairs(idea_body()) if not k.startswith("consents.")]
    page = await post_form(http, "/ideas/new", [*answers, ("form_token", hidden(form.text, "form_token"))])
    assert page.status_code == 422
    summary = page.text[page.text.index('class="error-summary"'):page.text.index("<form")]
    assert re.findall(r'href="#([^"]+)"', summary) == ["consents-privacy_notice"]
    assert "Hyväksy tietosuojaseloste" in summary and "Tämä tieto puuttuu" not in summary
    assert await runtime.db["ideas"].count_documents({}) == 0


async def test_text_that_looks_like_an_operator_or_markup_is_stored_and_shown_as_text(intake) -> None:
    runtime, http = intake
    title = '<script>alert("x")</script>'
    name = '{"$ne": null} ry'
    response = await http.post("/api/v1/ideas", json=idea_body(title=title, organisation__name=name))
    assert response.status_code == 201
    stored = await runtime.db["ideas"].find_one({})
    assert stored is not None and stored["title"] == title and stored["organisation"]["name"] == name
    status = await http.get(response.json()["status_url"].removeprefix(PUBLIC))
    assert "<script>alert" not in status.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in status.text
    operator = await http.post("/api/v1/ideas", json=idea_body(title={"$gt": ""}))
    assert operator.status_code == 422 and "title" in operator.json()["errors"]


async def test_openapi_describes_the_request_bodies(intake) -> None:
    _, http = intake
    paths = (await http.get("/openapi.json")).json()["paths"]
    for path, required in (("/api/v1/ideas", "organisation"), ("/api/v1/registrations", "participant"),
                           ("/api/v1/subscriptions", "topics"), ("/api/v1/advice/bookings", "slot_id")):
        schema = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert required in schema["required"] and schema["additionalProperties"] is False
    assert "IdeaAccepted" in str(paths["/api/v1/ideas"]["post"]["responses"]["201"])
