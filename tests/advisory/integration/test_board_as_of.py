"""The pipeline board as of a past day, against real NATS and a real MongoDB-protocol server: cases opened and
moved on days the test's clock names, then the board of an earlier day shows the stages of then, read-only."""

from __future__ import annotations

import re
from datetime import date

import httpx

from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.clock import FixedClock
from tests.advisory.integration.conftest import Stream, bearer
from tests.advisory.integration.test_pages import sign_in
from tests.support.samples import envelope, idea_submitted


def columns(html: str) -> dict[str, str]:
    """Each stage column's markup, by stage."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<section class="board-column" id="stage-([a-z_]+)"(.*?)</section>', main, re.S)}


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


async def move(http: httpx.AsyncClient, token: str, case_id: str, to: str) -> None:
    body = {"to": to, **({"reason": "Yhdistys luopui ideasta."} if to == "withdrawn" else {})}
    response = await http.post(f"/api/v1/cases/{case_id}/transitions", headers=bearer(token), json=body)
    assert response.status_code == 200, response.text


async def test_the_board_as_of_a_past_day_shows_the_stages_of_then_and_changes_nothing(
    stream: Stream, http: httpx.AsyncClient, clock: FixedClock, admin_token: str
) -> None:
    early = idea_submitted(reference="KOO-2026-0901", title="Kylätalon katto")
    slow = idea_submitted(reference="KOO-2026-0902", title="Nuorten bänditila")
    late = idea_submitted(reference="KOO-2026-1003", title="Seniorien tanssi-illat")
    clock.set_day(date(2026, 9, 15))
    for idea in (early, slow):
        await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 2, settle=0)
    clock.set_day(date(2026, 9, 20))
    await move(http, admin_token, case_id_for(early.idea_id), "sparring")
    clock.set_day(date(2026, 9, 30), 23, 59)
    await move(http, admin_token, case_id_for(early.idea_id), "withdrawn")  # still on 30.9., Helsinki time
    clock.set_day(date(2026, 10, 1), 0, 1)
    await move(http, admin_token, case_id_for(slow.idea_id), "sparring")  # on 1.10.: after the day
    await stream.publish(envelope(late))
    await stream.wait_for("case-opened", 3, settle=0)
    clock.set_day(date(2026, 10, 10))
    await sign_in(http)

    now = await http.get("/")
    then = await http.get("/", params={"as_of": "2026-09-30"})
    before = await http.get("/", params={"as_of": "2026-09-14"})
    assert then.status_code == 200
    past, current = columns(then.text), columns(now.text)
    assert "KOO-2026-0901" in past["withdrawn"] and "KOO-2026-0902" in past["idea"]
    assert "KOO-2026-1003" not in main_of(then.text)  # opened after the day
    assert "KOO-2026-0902" in current["sparring"] and "KOO-2026-1003" in current["idea"]
    assert "(1)" in past["idea"] and "(1)" in past["withdrawn"] and "(0)" in past["sparring"]
    assert "Tilanne 30.9.2026 lopussa" in then.text and "Tilanne" not in main_of(now.text).split("<form", 1)[0]
    body = main_of(then.text)
    assert 'method="post"' not in body and "csrf_token" not in body and "<script" not in then.text
    assert all(form.startswith(' method="get"') for form in body.split("<form")[1:])  # the filter form only
    assert 'value="2026-09-30"' in body and 'max="2026-10-09"' in body
    assert "KOO-2026-09" not in main_of(before.text)  # nothing existed yet
    # the filters apply to the past board too
    kuopio = await http.get("/", params={"as_of": "2026-09-30", "municipality": "iisalmi"})
    assert "KOO-2026-0901" not in main_of(kuopio.text)
    # in Swedish and English
    sv = await http.get("/", params={"as_of": "2026-09-30", "lang": "sv"})
    en = await http.get("/", params={"as_of": "2026-09-30", "lang": "en"})
    assert "Läget i slutet av 30.9.2026" in sv.text and "As at the end of 30.9.2026" in en.text


async def test_a_day_not_yet_ended_or_not_a_date_is_refused_in_the_readers_language(
    http: httpx.AsyncClient, clock: FixedClock
) -> None:
    clock.set_day(date(2026, 10, 10))
    await sign_in(http)
    today = await http.get("/", params={"as_of": "2026-10-10"})
    garbage = await http.get("/", params={"as_of": "30.9.2026", "lang": "sv"})
    future = await http.get("/", params={"as_of": "2027-01-01", "lang": "en"})
    assert today.status_code == garbage.status_code == future.status_code == 422
    assert "Tilannepäivä ei ole vielä päättynyt" in today.text and 'href="#as_of"' in today.text
    assert "Lägesdagen är inte ett datum" in garbage.text
    assert "The position date has not ended yet" in future.text
