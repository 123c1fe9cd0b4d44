"""The partner pages on the in-memory store: the case page's suggestions with their reasons in the staff
member's language, the introduction (one event, once per pair, refused without consent), the clusters view."""

from __future__ import annotations

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from tests.advisory.unit.conftest import events
from tests.advisory.unit.test_partners import open_sample as open_cases
from tests.advisory.unit.test_web import http, sign_in  # noqa: F401  (the fixture)


async def open_sample(deps: AdvisoryContainer) -> dict[str, str]:
    ids = await open_cases(deps)
    await events(deps)  # the case-opened events, out of the way
    return ids


async def test_the_case_page_shows_the_suggestions_and_their_reasons_in_finnish_and_swedish(
    http: httpx.AsyncClient, deps: AdvisoryContainer  # noqa: F811
) -> None:
    ids = await open_sample(deps)
    await sign_in(http)
    page = (await http.get(f"/cases/{ids['toivala']}")).text
    assert "Samankaltaiset ideat" in page and "Vehmersalmen kyläseura ry" in page
    assert "sama teema: Ikäihmiset; sama kohderyhmä: Ikäihmiset; naapurikunta Kuopio; yhteisiä sanoja: kylätalo" in page
    assert page.index("Vehmersalmen kyläseura ry") < page.index("Sukevan kyläyhdistys ry")
    assert "Hiltulanlahden" not in page and "Varkauden Palloseura" not in page
    swedish = (await http.get(f"/cases/{ids['toivala']}", headers={"Accept-Language": "sv"})).text
    assert "samma tema: Äldre; samma målgrupp: Ikäihmiset; grannkommun Kuopio; gemensamma ord: kylätalo" in swedish
    unconsented = (await http.get(f"/cases/{ids['hiltulanlahti']}")).text
    assert "ei ole antanut suostumusta esittelyyn" in unconsented and "Vehmersalmen" not in unconsented


async def test_an_introduction_is_one_event_once_per_pair(http: httpx.AsyncClient, deps: AdvisoryContainer) -> None:  # noqa: F811
    ids = await open_sample(deps)
    csrf = await sign_in(http)
    path = f"/cases/{ids['toivala']}/introductions"
    sent = await http.post(path, data={"csrf_token": csrf, "other_case_id": ids["vehmersalmi"]})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=introduced#partners")
    [introduced] = await events(deps, "associations-introduced")
    parties = introduced.data["parties"]
    assert [p["organisation_name"] for p in parties] == ["Kyläyhdistys Toivala ry", "Vehmersalmen kyläseura ry"]
    assert introduced.data["shared_themes"] == ["elderly"] and "kylätalo" in introduced.data["shared_words"]
    assert introduced.data["advisor_name"] == "Pää Käyttäjä"
    page = (await http.get(sent.headers["location"])).text
    assert "Esitelty" in page and "Kumpikin saa viestin" in page
    # the other way round is the same pair: refused with a message, nothing sent
    again = await http.post(
        f"/cases/{ids['vehmersalmi']}/introductions", data={"csrf_token": csrf, "other_case_id": ids["toivala"]}
    )
    assert again.status_code == 409 and "on jo esitelty toisilleen" in again.text
    refused = await http.post(path, data={"csrf_token": csrf, "other_case_id": ids["hiltulanlahti"]})
    assert refused.status_code == 409 and "ei ole antanut suostumusta" in refused.text
    assert await events(deps, "associations-introduced") == []


async def test_the_clusters_page_lists_the_similar_ideas_with_their_shared_themes_and_words(
    http: httpx.AsyncClient, deps: AdvisoryContainer  # noqa: F811
) -> None:
    await open_sample(deps)
    await sign_in(http)
    page = (await http.get("/partners")).text
    assert "Samankaltaisten ideoiden ryhmät" in page and "6 yhdistystä mukana vertailussa" in page
    assert "Kyläyhdistys Toivala ry" in page and "Vehmersalmen kyläseura ry" in page and "Ikäihmiset" in page
    assert "Hiltulanlahden" not in page
    english = (await http.get("/partners", headers={"Accept-Language": "en"})).text
    assert "Clusters of similar ideas" in english and "Shared words" in english
