"""Two regions on one intake: each host name (or path prefix) is its region's public site — its municipalities,
branding, references, events and lists — and a signed link of one region finds nothing on the other's site."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from koonto.shared.clock import helsinki_date, utcnow
from koonto.shared.contracts.advisory import CallOpened
from koonto.shared.contracts.intake import IdeaSubmitted, RegistrationReceived
from tests.intake.helpers import events_of, form_pairs, hidden, idea_body, post_form, publish
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually

KEHTO = "kehto.test"  # Pohjois-Karjala's public site
HOSTS = {"regions": ["pohjois-karjala"], "region_hosts": {KEHTO: "pohjois-karjala", "intake.test": "pohjois-savo"}}
ON_KEHTO = {"host": KEHTO}


def karelian_idea(**overrides: Any) -> dict[str, Any]:
    return idea_body(**{"organisation__municipality": "joensuu", "title": "Joensuun kylätalo", **overrides})


async def test_each_host_is_its_regions_site_with_its_references_municipalities_and_events(
    start_intake, clean_stream
) -> None:
    async with start_intake(**HOSTS) as (runtime, http):
        savo = await http.post("/api/v1/ideas", json=idea_body())
        karelia = await http.post("/api/v1/ideas", json=karelian_idea(), headers=ON_KEHTO)
        assert savo.status_code == 201 and karelia.status_code == 201, (savo.text, karelia.text)
        assert savo.json()["reference"].startswith("KOO-") and karelia.json()["reference"].startswith("KEH-")
        assert karelia.json()["reference"].endswith("-0001")  # the region's own counter
        assert savo.json()["status_url"].startswith(f"{PUBLIC}/status/")
        assert karelia.json()["status_url"].startswith(f"http://{KEHTO}/status/")  # the mail links its own site

        # a Joensuu idea on the Pohjois-Savo site, a Kuopio one on Pohjois-Karjala's: refused, the region named
        refused = await http.post("/api/v1/ideas", json=karelian_idea(title="Väärä sivu"))
        assert refused.status_code == 422
        assert "Pohjois-Savo" in refused.text and "organisation.municipality" in refused.text
        kuopio = await http.post("/api/v1/ideas", json=idea_body(organisation__municipality="kuopio"),
                                 headers={**ON_KEHTO, "Accept-Language": "en"})
        assert kuopio.status_code == 422 and "North Karelia" in kuopio.text

        stored = {d["reference"][:3]: d["region"] async for d in runtime.db["ideas"].find({})}
        assert stored == {"KOO": "pohjois-savo", "KEH": "pohjois-karjala"}
        events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 2,
                                  what="both ideas published")
        assert {(e.region, d.reference[:3]) for e, d in events} == {("pohjois-savo", "KOO"),
                                                                     ("pohjois-karjala", "KEH")}

        # the forms and their branding are the region's
        form = (await http.get("/ideas/new", headers=ON_KEHTO)).text
        assert 'value="joensuu"' in form and 'value="kuopio"' not in form
        assert re.search(r"<title>[^<]* – Kehto</title>", form) and "kehto@example.fi" in form
        home_form = (await http.get("/ideas/new")).text
        assert 'value="kuopio"' in home_form and 'value="joensuu"' not in home_form and "Kehto" not in home_form


async def test_a_status_link_of_one_region_finds_nothing_on_the_other_regions_site(start_intake) -> None:
    async with start_intake(**HOSTS) as (_, http):
        karelia = (await http.post("/api/v1/ideas", json=karelian_idea(), headers=ON_KEHTO)).json()
        path = karelia["status_url"].removeprefix(f"http://{KEHTO}")
        own = await http.get(path, headers=ON_KEHTO)
        assert own.status_code == 200 and karelia["reference"] in own.text and "Kehto" in own.text
        elsewhere = await http.get(path)  # the same link on Pohjois-Savo's site
        assert elsewhere.status_code == 404 and karelia["reference"] not in elsewhere.text
        amend = await post_form(http, f"{path}/amend", {"csrf_token": "x", "description": "Muutettu"})
        assert amend.status_code in (403, 404)
        assert (await http.get(path, headers=ON_KEHTO)).status_code == 200  # nothing changed for its owner


async def test_public_lists_show_only_the_requests_regions_items(start_intake, clean_stream) -> None:
    from tests.intake.integration.test_newsletters import published

    today = helsinki_date(utcnow())

    def call(name: str) -> CallOpened:
        return CallOpened(call_id=str(uuid.uuid4()), name=name, funder="Itä-Suomen elinvoimakeskus",
                          opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=20),
                          url="https://www.eura2021.fi/haku/1", description="ESR+")

    async with start_intake(**HOSTS) as (_, http):
        await publish(clean_stream, call("Savon kylähaku"))
        await publish(clean_stream, call("Karjalan kylähaku"), region="pohjois-karjala")
        kehto = await eventually(lambda: http.get("/", headers=ON_KEHTO), until=lambda r: "Karjalan kylähaku" in r.text,
                                 what="Pohjois-Karjala's call listed")
        assert "Savon kylähaku" not in kehto.text
        savo = await eventually(lambda: http.get("/"), until=lambda r: "Savon kylähaku" in r.text, what="the call")
        assert "Karjalan kylähaku" not in savo.text
        assert [c["name"] for c in (await http.get("/api/v1/calls", headers=ON_KEHTO)).json()] == ["Karjalan kylähaku"]

        newsletter = published()  # notify's newsletter of Pohjois-Karjala: its archive only
        await publish(clean_stream, newsletter, region="pohjois-karjala")
        await eventually(lambda: http.get("/newsletters", headers=ON_KEHTO),
                         until=lambda r: "Joulukuun uutiset" in r.text, what="in Pohjois-Karjala's archive")
        assert "Joulukuun uutiset" not in (await http.get("/newsletters")).text
        assert (await http.get(f"/newsletters/{newsletter.campaign_id}")).status_code == 404
        assert (await http.get(f"/newsletters/{newsletter.campaign_id}", headers=ON_KEHTO)).status_code == 200


LINK = re.compile(r'(?:href|action)="([^"]*)"')


async def test_with_path_prefixes_every_link_form_and_redirect_keeps_the_prefix(start_intake, clean_stream) -> None:
    async with start_intake(regions=["pohjois-karjala"], region_path_prefixes=True) as (runtime, http):
        for page in ("/pohjois-karjala/", "/pohjois-karjala/ideas/new", "/pohjois-karjala/events",
                     "/pohjois-karjala/subscribe", "/pohjois-karjala/advice", "/pohjois-karjala/privacy"):
            response = await http.get(page)
            assert response.status_code == 200, page
            own = [link for link in LINK.findall(response.text) if link.startswith("/")]
            assert own, page
            assert all(link.startswith("/pohjois-karjala/") for link in own), (page, own)
            assert "Kehto" in response.text
        form = await http.get("/pohjois-karjala/ideas/new")
        answers = form_pairs(karelian_idea(consents={"privacy_notice": True}))
        token = hidden(form.text, "form_token")
        check = await post_form(http, "/pohjois-karjala/ideas/new", [*answers, ("form_token", token), ("website", "")])
        assert check.status_code == 200 and 'action="/pohjois-karjala/ideas/confirm"' in check.text
        carried = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text)
        sent = await post_form(http, "/pohjois-karjala/ideas/confirm", [*carried, ("action", "submit")])
        assert sent.status_code == 303 and sent.headers["location"].startswith("/pohjois-karjala/ideas/receipt/")
        receipt = await http.get(sent.headers["location"])
        assert "KEH-" in receipt.text
        status = [link for link in LINK.findall(receipt.text) if "/status/" in link]
        assert status and all(link.startswith("/pohjois-karjala/status/") for link in status)
        idea = await runtime.db["ideas"].find_one({})
        assert idea is not None and idea["region"] == "pohjois-karjala"
        [(_, submitted)] = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 1,
                                            what="the idea published")
        assert submitted.status_url.startswith(f"{PUBLIC}/pohjois-karjala/status/")  # the mail's link keeps it too
        # the home region without a prefix, as before
        home = await http.get("/ideas/new")
        assert 'action="/ideas/new"' in home.text and 'value="kuopio"' in home.text


async def test_an_event_and_its_cancel_link_belong_to_their_region_only(start_intake, clean_stream) -> None:
    from tests.intake.integration.test_registrations import scheduled, sign_up

    event = scheduled(capacity=5, municipality="joensuu", place="Joensuun kaupungintalo", title="Kehdon koulutus")
    async with start_intake(**HOSTS) as (_, http):
        await publish(clean_stream, event, region="pohjois-karjala")
        await eventually(lambda: http.get("/events", headers=ON_KEHTO), until=lambda r: event.title in r.text,
                         what="listed on Pohjois-Karjala's site")
        assert event.title not in (await http.get("/events")).text
        body = sign_up(event.scheduled_event_id, "osallistuja@example.fi", municipality="joensuu")
        refused = await http.post("/api/v1/registrations", json=body)  # on Pohjois-Savo's site
        assert refused.status_code in (404, 409, 422) and "osallistuja" not in refused.text
        taken = await http.post("/api/v1/registrations", json=body, headers=ON_KEHTO)
        assert taken.status_code == 201, taken.text
        [(envelope, received)] = await eventually(lambda: events_of(clean_stream, RegistrationReceived),
                                                  until=lambda e: len(e) == 1, what="the registration published")
        cancel_url = str(received.cancel_url)
        assert envelope.region == "pohjois-karjala" and cancel_url.startswith(f"http://{KEHTO}/registrations/cancel/")
        path = cancel_url.removeprefix(f"http://{KEHTO}")
        assert (await http.get(path, headers=ON_KEHTO)).status_code == 200
        elsewhere = await http.get(path)
        assert elsewhere.status_code == 404 and event.title not in elsewhere.text


async def test_a_subscription_confirm_link_of_one_region_confirms_nothing_on_the_other_regions_site(
    start_intake, clean_stream
) -> None:
    from koonto.shared.contracts.intake import SubscriptionConfirmed, SubscriptionRequested

    async with start_intake(**HOSTS) as (runtime, http):
        asked = await http.post("/api/v1/subscriptions", headers=ON_KEHTO, json={
            "email": "liisa@example.fi", "topics": ["call_announcements"], "municipality": "joensuu",
            "consents": {"privacy_notice": True},
        })
        assert asked.status_code == 202, asked.text
        [(envelope, request)] = await eventually(lambda: events_of(clean_stream, SubscriptionRequested),
                                                 until=lambda e: len(e) == 1, what="the request published")
        assert envelope.region == "pohjois-karjala"
        assert request.confirm_url.startswith(f"http://{KEHTO}/subscriptions/confirm/")
        path = request.confirm_url.removeprefix(f"http://{KEHTO}")
        page = await http.get(path, headers=ON_KEHTO)
        elsewhere = await http.get(path)
        assert "liisa@example.fi" in page.text and "liisa@example.fi" not in elsewhere.text
        refused = await post_form(http, path, {"csrf_token": hidden(page.text, "csrf_token")})
        assert refused.status_code == 404  # "gone": nothing of that region here
        stored = await runtime.db["subscriptions"].find_one({})
        assert stored is not None and stored["status"] == "pending" and stored["region"] == "pohjois-karjala"
        done = await post_form(http, path, {"csrf_token": hidden(page.text, "csrf_token")}, headers=ON_KEHTO)
        assert "Tilaus vahvistettu" in done.text
        [(confirmed, _)] = await eventually(lambda: events_of(clean_stream, SubscriptionConfirmed),
                                            until=lambda e: len(e) == 1, what="the confirmation published")
        assert confirmed.region == "pohjois-karjala"  # notify keeps the consent as Pohjois-Karjala's
