"""The landing page lists the open funding calls kept from advisory's events; information pages exist."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from koonto.shared.clock import helsinki_date, utcnow
from koonto.shared.contracts.advisory import CallClosed, CallOpened
from tests.intake.helpers import publish
from tests.support.polling import eventually


def call(name: str, closes_in_days: int) -> CallOpened:
    today = helsinki_date(utcnow())
    return CallOpened(call_id=str(uuid.uuid4()), name=name, funder="Itä-Suomen elinvoimakeskus",
                      opens_on=today - timedelta(days=5), closes_on=today + timedelta(days=closes_in_days),
                      url="https://www.eura2021.fi/haku/123", description="ESR+ toimintalinja 4")


async def test_landing_lists_open_calls_with_deadlines_and_links_to_the_forms(intake, clean_stream) -> None:
    _, http = intake
    empty = await http.get("/")
    assert empty.status_code == 200 and "Juuri nyt ei ole avoimia hakuja" in empty.text
    for href in ('href="/ideas/new"', 'href="/events"', 'href="/subscribe"', '/privacy?lang=fi"',
                 '/accessibility?lang=fi"'):
        assert href in empty.text
    # the showcase of funded projects lives in reporting: linked, absolute, in the page's language
    assert 'href="http://127.0.0.1:8004/esittely?lang=fi"' in empty.text

    soon, later = call("Kansalaislähtöinen kehittäminen 2027", 10), call("Syksyn haku", 40)
    closing = call("Suljettu haku", 3)
    for opened in (later, soon, closing):
        await publish(clean_stream, opened)
    await publish(clean_stream, CallClosed(call_id=closing.call_id, name=closing.name, closed_on=date.today()))
    page = await eventually(
        lambda: http.get("/"),
        until=lambda r: soon.name in r.text and later.name in r.text and closing.name not in r.text,
        what="open calls listed",
    )
    text = page.text
    assert text.index(soon.name) < text.index(later.name)  # the nearest deadline first
    deadline = soon.closes_on
    assert f"{deadline.day}.{deadline.month}.{deadline.year}" in text and "10 päivää jäljellä" in text
    assert 'href="https://www.eura2021.fi/haku/123"' in text
    swedish = await http.get("/?lang=sv")
    assert "Öppna finansieringsansökningar" in swedish.text and "10 dagar kvar" in swedish.text
    api = await http.get("/api/v1/calls")
    assert [c["name"] for c in api.json()] == [soon.name, later.name]


async def test_privacy_notice_and_accessibility_statement(intake) -> None:
    _, http = intake
    privacy = await http.get("/privacy")
    assert privacy.status_code == 200 and "<h1>Tietosuojaseloste</h1>" in privacy.text
    assert "Pohjois-Savon Sosiaaliturvayhdistys ry" in privacy.text
    accessibility = await http.get("/accessibility?lang=en")
    assert accessibility.status_code == 200 and "<h1>Accessibility statement</h1>" in accessibility.text
    assert '<html lang="en">' in accessibility.text


@pytest.mark.parametrize("language, supervisor, dated", [
    ("fi", "Lupa- ja valvontavirasto", "Seloste on laadittu 2.12.2026 ja viimeksi tarkistettu 2.12.2026."),
    ("sv", "Tillstånds- och tillsynsverket", "Utlåtandet har upprättats 2.12.2026 och senast granskats 2.12.2026."),
    ("en", "Lupa- ja valvontavirasto (Finnish Supervisory Agency)",
     "This statement was prepared on 2.12.2026 and last reviewed on 2.12.2026."),
])
async def test_the_accessibility_statement_is_dated_names_its_gaps_and_the_current_supervisor(
    intake, language: str, supervisor: str, dated: str
) -> None:
    """True and dated: partial compliance with the known gaps listed (no screen-reader testing, the PDF not
    validated, mails not checked), how to give feedback, and the supervisor since the 2026 reform, not the
    regional state administrative agency of before."""
    runtime, http = intake
    page = (await http.get("/accessibility", params={"lang": language})).text
    main = page.split('<main', 1)[1].split("</main>", 1)[0]
    assert supervisor in main and dated in main
    assert 'href="https://saavutettavuusvaatimukset.fi"' in main
    assert f'href="mailto:{runtime.region.contact_email}"' in main
    gaps = main.split("</h2>")[2].split("</ul>", 1)[0]  # under "Tiedossa olevat puutteet"
    assert gaps.count("<li>") == 3 and "PDF/UA" in gaps and "WCAG 1.1.1" in gaps
    for stale in ("Emme tiedä", "Etelä-Suomen", "aluehallintovirastoon", "Regionförvaltningsverket i Södra",
                  "tillganglighetskrav.fi", "ruudunlukijalla, ja ne"):
        assert stale not in main


async def test_pages_are_built_for_phones_and_keyboards(intake) -> None:
    _, http = intake
    for path in ("/", "/ideas/new", "/events", "/subscribe", "/privacy", "/accessibility"):
        page = await http.get(path)
        assert page.status_code == 200
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
        assert 'class="skip-link" href="#main"' in page.text and '<html lang="fi">' in page.text
        assert "<script" not in page.text  # works without JavaScript
    form = (await http.get("/ideas/new")).text
    # every text input has a label
    for control_id in ("organisation-name", "contact-email", "contact-phone", "title", "description"):
        assert f'for="{control_id}"' in form and f'id="{control_id}"' in form
    assert 'autocomplete="email"' in form and 'type="tel"' in form


async def test_the_footer_speaks_the_page_language(intake) -> None:
    _, http = intake
    finnish, swedish, english = [(await http.get(f"/?lang={lang}")).text for lang in ("fi", "sv", "en")]
    assert "Sosiaaliturvayhdistys ry ja Pohjois-Savon Liikunta ry" in finnish and "toimintalinja 4" in finnish
    assert "Sosiaaliturvayhdistys ry och Pohjois-Savon Liikunta ry" in swedish and "prioritering 4" in swedish
    assert "Sosiaaliturvayhdistys ry and Pohjois-Savon Liikunta ry" in english and "priority 4" in english
