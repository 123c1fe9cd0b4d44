"""Results on the public showcase, on real NATS and a real MongoDB-protocol server, after the scripted history
(tests/reporting/history.py: "a" Kylätalon kohtaamispaikka, Kuopio, village, closed; "g" Nuorten kesätapahtuma,
Tuusniemi, youth, closed; "b" funded without the publication consent): published results shown in the reader's
language or in Finnish marked lang="fi", with the filters; a redelivery or an older publication arriving late
changes nothing; a withdrawal and an erasure take them off; hostile content stays inert."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import ProjectResultsPublished, ProjectResultsWithdrawn, ResultsText
from koonto.shared.contracts.intake import ErasureRequested
from koonto.shared.runtime import Runtime
from tests.reporting.integration.test_reports import loaded, processed  # noqa: F401 (the fixture)
from tests.support.polling import eventually
from tests.support.samples import envelope
from tests.support.services import client

AT = datetime(2026, 11, 28, 10, tzinfo=UTC)
VILLAGE_FI = "Kylätalosta tuli koko kylän olohuone."
VILLAGE_SV = "Byhuset blev hela byns vardagsrum."
YOUTH_FI = "Nuoret järjestivät kolme tapahtumaa."


def results(key: str, *, at: datetime = AT, **values: Any) -> Envelope:
    data = ProjectResultsPublished(
        case_id=f"case-{key}",
        idea_id=f"idea-{key}",
        reference=f"KOO-2026-{key}",
        published_at=at,
        published_by="staff-1",
        consent_recorded_at=at,
        **values,
    )
    return envelope(data, subject=f"case-{key}")


def sentinel() -> Envelope:
    """A publication for "b" (no publication consent: never shown), sent after a redelivery on the same consumer:
    once it is processed, so is the redelivery before it."""
    return results("b", fi=ResultsText(summary="Ei näy esittelyssä."))


def withdrawal(key: str, at: datetime) -> Envelope:
    return envelope(
        ProjectResultsWithdrawn(
            case_id=f"case-{key}",
            idea_id=f"idea-{key}",
            reference=f"KOO-2026-{key}",
            withdrawn_at=at,
            withdrawn_by="staff-1",
        ),
        subject=f"case-{key}",
    )


async def send(runtime: Runtime, *events: Envelope, suffix: str = "") -> None:
    for env in events:
        await runtime.publisher(env.type, env.model_dump_json().encode(), env.id + suffix)


def project(page: str, title: str) -> str:
    """The article of one project on the showcase page ('' when it is not there)."""
    for article in page.split("<article")[1:]:
        if title in article:
            return article.split("</article>", 1)[0]
    return ""


async def showcase(http: httpx.AsyncClient, **params: str) -> str:
    response = await http.get("/esittely", params={"lang": "fi", **params})
    assert response.status_code == 200
    return response.text


async def until_done(runtime: Runtime, count: int) -> None:
    await eventually(lambda: processed(runtime), until=lambda n: n >= count, what=f"{count} events processed")


async def test_published_results_show_in_the_readers_language_with_the_filters_and_leave_on_withdrawal(
    loaded: tuple[Runtime, list[Envelope]],  # noqa: F811
) -> None:
    runtime, events = loaded
    village = results(
        "a",
        fi=ResultsText(
            summary=VILLAGE_FI,
            outcomes=("12 kylätapahtumaa", "60 kävijää viikossa"),
            photo_alt="Kyläläisiä kylätalon portailla",
            link_text="Loppuraportti",
        ),
        sv=ResultsText(summary=VILLAGE_SV, outcomes=("12 byevenemang",)),
        photo_url="https://kyla.example.fi/kuva.jpg",
        link_url="https://kyla.example.fi/raportti",
    )
    youth = results("g", fi=ResultsText(summary=YOUTH_FI))
    await send(runtime, village, youth)
    async with client(runtime) as http:
        page = await eventually(
            lambda: showcase(http),
            until=lambda p: VILLAGE_FI in p and YOUTH_FI in p,
            what="both results on the showcase",
        )
        a = project(page, "Kylätalon kohtaamispaikka")
        assert "<li>12 kylätapahtumaa</li>" in a and 'src="https://kyla.example.fi/kuva.jpg"' in a
        assert 'alt="Kyläläisiä kylätalon portailla"' in a and 'referrerpolicy="no-referrer"' in a
        assert '<a class="address" href="https://kyla.example.fi/raportti" rel="noopener noreferrer">Loppuraportti' in a
        assert "Kylätalolla kävi vuoden aikana 1 200 kävijää." not in a  # the closing summary gives way
        assert 'lang="fi"' not in a  # a Finnish page needs no marking
        # Swedish: a's own text; g only in Finnish, marked as such; the photo's alt text from the Finnish one
        sv = await showcase(http, lang="sv")
        a_sv, g_sv = project(sv, "Kylätalon kohtaamispaikka"), project(sv, "Nuorten kesätapahtuma")
        assert VILLAGE_SV in a_sv and VILLAGE_FI not in a_sv and "<li>12 byevenemang</li>" in a_sv
        assert 'alt="Kyläläisiä kylätalon portailla" lang="fi"' in a_sv
        assert '<section class="results" aria-labelledby="results-' in g_sv and 'lang="fi">' in g_sv
        assert YOUTH_FI in g_sv and 'lang="sv">Resultat</h4>' in g_sv
        en = await showcase(http, lang="en")
        assert VILLAGE_FI in project(en, "Kylätalon kohtaamispaikka")  # no English given: the Finnish text
        # the filters: municipality and theme
        kuopio = await showcase(http, municipality="kuopio")
        assert VILLAGE_FI in kuopio and YOUTH_FI not in kuopio
        youth_theme = await showcase(http, theme="youth")
        assert YOUTH_FI in youth_theme and VILLAGE_FI not in youth_theme

        # redelivered (past the duplicate window: another message id) and an older publication arriving late
        older = results("a", at=datetime(2026, 11, 27, tzinfo=UTC), fi=ResultsText(summary="Vanha versio."))
        await send(runtime, village, suffix="-again")
        await send(runtime, older)
        await until_done(runtime, len(events) + 3)  # the redelivery adds no inbox entry; `older` came after it
        page = await showcase(http)
        assert page.count(VILLAGE_FI) == 1 and "Vanha versio." not in page

        # withdrawn: the results and the closing summary are off; the project itself stays (it is funded)
        await send(runtime, withdrawal("a", datetime(2026, 11, 29, tzinfo=UTC)))
        page = await eventually(lambda: showcase(http), until=lambda p: VILLAGE_FI not in p, what="withdrawn")
        a = project(page, "Kylätalon kohtaamispaikka")
        assert a and "kyla.example.fi" not in a and "1 200 kävijää" not in a and YOUTH_FI in page
        # a publication from before the withdrawal, redelivered now, does not bring them back
        await send(runtime, village, suffix="-third")
        await send(runtime, sentinel())
        await until_done(runtime, len(events) + 5)
        assert VILLAGE_FI not in await showcase(http)


async def test_an_erasure_takes_the_results_off_and_hostile_content_stays_inert(
    loaded: tuple[Runtime, list[Envelope]],  # noqa: F811
) -> None:
    runtime, events = loaded
    hostile = "<script>alert(1)</script>"
    tricky = results(
        "g",
        fi=ResultsText(
            summary=f"Tulos {hostile}",
            outcomes=('<img src=x onerror="alert(2)">',),
            photo_alt='" onerror="alert(3)',
            link_text="<b>linkki</b>",
        ),
        photo_url="https://kyla.example.fi/kuva.jpg?a=1&b=2",
        link_url="https://kyla.example.fi/?q=1&r=2",
    )
    # a producer's mistake or an attack on the stream: a javascript: address fails the contract and is
    # dead-lettered, so nothing of it reaches the page
    bad = json.loads(results("a", fi=ResultsText(summary="Pahantahtoinen")).model_dump_json())
    bad["data"]["link_url"] = "javascript:alert(4)"
    await send(runtime, tricky)
    await runtime.publisher(bad["type"], json.dumps(bad).encode(), bad["id"])
    async with client(runtime) as http:
        page = await eventually(lambda: showcase(http), until=lambda p: "Tulos " in p, what="the hostile results")
        g = project(page, "Nuorten kesätapahtuma")
        assert "<script>" not in g and html.escape(hostile, quote=False) in g
        assert "<img src=x" not in g and "&lt;img src=x onerror=" in g
        assert 'alt="&#34; onerror=&#34;alert(3)"' in g and "&lt;b&gt;linkki&lt;/b&gt;" in g
        assert 'href="https://kyla.example.fi/?q=1&amp;r=2"' in g
        letters = await eventually(runtime.dead_letters.list, until=lambda x: len(x) == 1, what="dead letter")
        assert "project-results-published" in json.dumps(letters[0], default=str)
        assert "Pahantahtoinen" not in page and "javascript:" not in page

        # the contact person of g asks for erasure: the project, its results with it, leaves the showcase
        erasure = envelope(
            ErasureRequested(request_id="r-g", requested_at=AT, email="tuula@example.fi", idea_ids=("idea-g",))
        )
        await send(runtime, erasure)
        page = await eventually(lambda: showcase(http), until=lambda p: "Tulos " not in p, what="erased")
        assert "Nuorten kesätapahtuma" not in page
        # the same publication again after the erasure: still off
        await send(runtime, tricky, suffix="-again")
        await send(runtime, sentinel())
        await until_done(runtime, len(events) + 3)
        assert "Tulos " not in await showcase(http)
