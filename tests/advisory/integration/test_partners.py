"""Partner suggestions on the real stores, fed through real NATS: the fixed sample of ideas ranked on the case
page (inflected Finnish forms matched), only consenting associations shown, an amendment withdrawing the
consent and an erasure followed, and a second replica's index agreeing (its profiles read from the store)."""

from __future__ import annotations

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.use_cases.partners import Partners
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended
from tests.advisory.integration.conftest import Stream, bearer
from tests.advisory.integration.test_pages import sign_in
from tests.advisory.partner_samples import SAMPLE, sample_idea
from tests.support.polling import eventually
from tests.support.samples import envelope


async def suggested(http: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> str:
    page = await http.get(f"/cases/{case_id}", headers=headers, params={"lang": "fi"})
    assert page.status_code == 200
    return page.text.split('id="partners"', 1)[1].split('id="timeline"', 1)[0]


async def test_suggestions_follow_the_ideas_consent_and_erasure_through_the_stream(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    h = bearer(staff_tokens["advisor"])
    for key in SAMPLE:
        await stream.publish(envelope(sample_idea(key)))
    await stream.wait_for("case-opened", len(SAMPLE), settle=0)
    ids = {key: case_id_for(sample_idea(key).idea_id) for key in SAMPLE}

    async def profiles_written() -> int:
        return await advisory.store.partners.profiles.count_documents({})

    await eventually(profiles_written, until=lambda n: n == len(SAMPLE), what="every profile written")
    section = await suggested(http, h, ids["toivala"])
    assert section.index("Vehmersalmen kyläseura ry") < section.index("Sukevan kyläyhdistys ry")
    assert "naapurikunta Kuopio" in section and "yhteisiä sanoja: kylätalo, " in section
    assert "Hiltulanlahden" not in section and "Varkauden Palloseura" not in section
    assert "ei ole antanut suostumusta" in await suggested(http, h, ids["hiltulanlahti"])

    # another replica: loads the stored profiles, ranks the same
    replica = Partners(advisory.cases.c)
    toivala = await advisory.views.case(ids["toivala"])
    assert [s.profile.case_id for s in await replica.suggestions(toivala)] == [ids["vehmersalmi"], ids["sukeva"]]

    sukeva = sample_idea("sukeva")
    await stream.publish(envelope(IdeaAmended(
        idea_id=sukeva.idea_id, reference=sukeva.reference, amended_at=sukeva.submitted_at,
        changed_fields=("consents.partner_introductions",), partner_introductions=False,
    )))
    vehmersalmi = sample_idea("vehmersalmi")
    await stream.publish(envelope(ErasureRequested(
        request_id="erasure-partners", requested_at=vehmersalmi.submitted_at, email=vehmersalmi.contact.email,
        idea_ids=(vehmersalmi.idea_id,),
    ), subject="erasure-partners"))

    async def both_gone() -> str:
        return await suggested(http, h, ids["toivala"])

    section = await eventually(
        both_gone, until=lambda s: "Vehmersalmen" not in s and "Sukevan" not in s, what="amendment and erasure"
    )
    assert "Samankaltaisia ideoita ei löytynyt." in section
    assert await replica.suggestions(toivala) == []  # the other replica follows from the store too
    stored = await advisory.store.partners.profiles.find_one({"_id": ids["vehmersalmi"]})
    assert stored is not None and stored["listed"] is False and "terms" not in stored


async def test_an_introduction_from_the_case_page_puts_one_event_on_the_stream(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    for key in ("toivala", "vehmersalmi"):
        await stream.publish(envelope(sample_idea(key)))
    await stream.wait_for("case-opened", 2, settle=0)
    toivala, vehmersalmi = (case_id_for(sample_idea(k).idea_id) for k in ("toivala", "vehmersalmi"))
    csrf = await sign_in(http)
    form = {"csrf_token": csrf, "other_case_id": vehmersalmi}
    sent = await http.post(f"/cases/{toivala}/introductions", data=form)
    assert sent.status_code == 303
    again = await http.post(f"/cases/{toivala}/introductions", data=form)  # a second click: refused
    assert again.status_code == 409
    [event] = await stream.wait_for("associations-introduced", 1)
    assert [p["idea_id"] for p in event.data["parties"]] == [sample_idea(k).idea_id for k in ("toivala", "vehmersalmi")]
    page = (await http.get(f"/cases/{vehmersalmi}", params={"lang": "en"})).text
    assert "Introductions made" in page and "Kyläyhdistys Toivala ry" in page
