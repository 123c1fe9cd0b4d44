"""Results on the showcase, from advisory's side on the real stores and real NATS: the staff form on the case page
refuses a case that is not funded and closed and a form without the consent, then puts exactly one
project-results-published (public content only) on the stream; the withdrawal puts one project-results-withdrawn."""

from __future__ import annotations

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.lifecycle import TransitionRequest
from tests.advisory.integration.conftest import Stream
from tests.advisory.integration.test_pages import sign_in
from tests.advisory.lifecycle_steps import move_to
from tests.support.samples import envelope, idea_submitted

STAFF = Actor("staff-results", "Riikka Neuvoja", ("coordinator",))
FORM = {
    "summary_fi": "Kylätalosta tuli koko kylän olohuone.",
    "outcomes_fi": "12 kylätapahtumaa\n60 kävijää viikossa",
    "photo_alt_fi": "Kyläläisiä kylätalon portailla",
    "summary_en": "The village hall became the whole village's living room.",
    "photo_url": "https://kyla.example.fi/kuva.jpg",
    "consent": "1",
}


async def test_the_case_page_publishes_a_funded_closed_projects_results_once_and_withdraws_them(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    idea = idea_submitted(reference="KOO-2026-0901")
    await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 1, settle=0)
    case_id = case_id_for(idea.idea_id)
    csrf = await sign_in(http)
    await move_to(advisory, STAFF, case_id, "implementation")

    early = await http.post(f"/cases/{case_id}/results", data={"csrf_token": csrf, **FORM})
    assert early.status_code == 409
    assert "vain hankkeelle, joka on saanut rahoituksen ja päättynyt" in early.text
    assert "Tulokset voi julkaista, kun hanke on saanut rahoituksen ja päättynyt." in early.text  # no form yet

    await advisory.cases.transition(STAFF, case_id, TransitionRequest(target="closed", public_summary="Avattiin."))
    page = (await http.get(f"/cases/{case_id}")).text
    assert 'action="/cases/' + case_id + '/results"' in page and 'name="consent"' in page
    refused = await http.post(
        f"/cases/{case_id}/results",
        data={"csrf_token": csrf, **FORM, "consent": "", "photo_url": "http://kyla.example.fi/kuva.jpg"},
        params={"lang": "sv"},
    )
    assert refused.status_code == 422
    assert "Markera att föreningen har gett sitt samtycke" in refused.text  # in the page's language
    assert "Ange en adress som börjar med https://." in refused.text
    assert "Byhuset" not in refused.text and "Kylätalosta tuli koko kylän olohuone." in refused.text  # kept

    sent = await http.post(f"/cases/{case_id}/results", data={"csrf_token": csrf, **FORM})
    assert sent.status_code == 303
    [published] = await stream.wait_for("project-results-published", 1)
    assert published.data["fi"]["outcomes"] == ["12 kylätapahtumaa", "60 kävijää viikossa"]
    assert published.data["sv"] is None and published.data["en"]["summary"].startswith("The village hall")
    raw = published.model_dump_json()
    assert idea.contact.email not in raw and idea.contact.name not in raw and str(idea.contact.phone) not in raw
    page = (await http.get(f"/cases/{case_id}", params={"lang": "fi"})).text
    assert "Tulokset julkaistu esittelysivulla" in page and "Poista tulokset esittelysivulta" in page

    withdrawn = await http.post(f"/cases/{case_id}/results/withdrawal", data={"csrf_token": csrf})
    assert withdrawn.status_code == 303
    again = await http.post(f"/cases/{case_id}/results/withdrawal", data={"csrf_token": csrf})  # a second click
    assert again.status_code == 303
    [event] = await stream.wait_for("project-results-withdrawn", 1)
    assert event.data["case_id"] == case_id and event.data["cause"] == "staff"
    assert len(await stream.of_type("project-results-published")) == 1
