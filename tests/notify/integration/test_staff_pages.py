"""notify's staff pages as staff read them (real NATS and store): labels instead of codes in every language, the
one staff navigation back to the workspace, plural forms, filters' errors in a summary, stacked rows; and the
public preference page's checkboxes with the reason a topic cannot be chosen."""

from __future__ import annotations

import re

from koonto.shared.contracts.intake import Contact
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted
from tests.support.services import client
from tests.support.staff import bearer

CODES = re.compile(r">\s*(receipt|status-update|sent|pending|email|sms|service|consent)\s*<")


async def _one_receipt_sent(notify: Notify) -> None:
    await notify.publish(envelope(idea_submitted(contact=Contact(name="A", email="a@example.fi"))))
    await eventually(lambda: notify.deliveries(status="sent"), until=lambda d: len(d) == 1, what="receipt sent")


async def test_the_delivery_log_names_kinds_channels_and_statuses_in_the_page_language(notify: Notify) -> None:
    await _one_receipt_sent(notify)
    workspace = str(notify.container.settings.advisory_public_url).rstrip("/")
    async with client(notify.runtime) as http:
        fi = (await http.get("/staff/notifications", params={"lang": "fi"}, headers=bearer("advisor"))).text
        sv = (await http.get("/staff/notifications", params={"lang": "sv"}, headers=bearer("advisor"))).text
        en = (await http.get("/staff/notifications", params={"lang": "en"}, headers=bearer("advisor"))).text
    assert 'data-label="Tyyppi">Vastaanottokuittaus<' in fi and 'data-label="Tila">Lähetetty<' in fi
    assert 'data-label="Kanava">Sähköposti<' in fi and "(1 viesti)" in fi
    assert ">Mottagningskvitto<" in sv and "(1 meddelande)" in sv
    assert ">Receipt<" in en and ">Email<" in en and "(1 message)" in en
    for page in (fi, sv, en):
        assert not CODES.search(page), CODES.search(page)
        assert 'class="stacked-table"' in page and "/static/notify/notify.css" in page
        assert f'href="{workspace}/"' in page and f'href="{workspace}/calls"' in page  # the way back
        assert 'href="/staff/notifications" aria-current="page"' in page
        # the shared main_nav, as on the workspace's pages: a plain list on wide screens, a <details> menu on
        # a phone (one of the two shown by the shared CSS), both with every link
        wide = page.split('<ul class="nav-wide">')[1].split("</ul>")[0]
        menu = page.split('<details class="nav-menu">')[1].split("</details>")[0]
        for links in (wide, menu):
            assert links.count("<li>") == 8 and f'href="{workspace}/events"' in links
            assert 'href="/staff/newsletters"' in links and 'href="/staff/fanouts"' in links
            assert 'href="/staff/templates"' in links
    assert "<summary>Valikko</summary>" in fi and "<summary>Meny</summary>" in sv and "<summary>Menu</summary>" in en
    # the links into the workspace carry the workspace's own names for its pages (one label source per term)
    from koonto.advisory.web.pages.common import make_pages as advisory_pages

    workspace_names = advisory_pages().catalogues
    for code, page in (("sv", sv), ("en", en)):
        for finnish, path in (("Tapaukset", "/"), ("Muistutukset", "/followups"), ("Rahoitushaut", "/calls"),
                              ("Tilaisuudet", "/events")):
            assert f'href="{workspace}{path}">{workspace_names.gettext_in(code, finnish)}</a>' in page, (code, finnish)
    async with client(notify.runtime) as http:
        css = await http.get("/static/notify/notify.css")
    assert css.status_code == 200 and 'content: attr(data-label) ": "' in css.text


async def test_bad_filter_days_are_all_listed_in_an_error_summary_linking_to_their_fields(notify: Notify) -> None:
    async with client(notify.runtime) as http:
        page = await http.get(
            "/staff/notifications", params={"since": "eilen", "until": "31.13.2026"}, headers=bearer("advisor")
        )
        fine = await http.get("/staff/notifications", params={"since": "29.11.2026"}, headers=bearer("advisor"))
    summary = page.text.split('class="error-summary"')[1].split("</div>")[0]
    assert summary.count("Anna päivämäärä muodossa 29.11.2026.") == 2
    assert 'href="#since"' in summary and 'href="#until"' in summary
    assert 'id="since-error"' in page.text and 'aria-invalid="true"' in page.text
    assert fine.status_code == 200 and "error-summary" not in fine.text


async def test_the_template_preview_shows_kind_basis_and_sms_parts_as_words(notify: Notify) -> None:
    async with client(notify.runtime) as http:
        fi = (await http.get("/staff/templates", params={"lang": "fi"}, headers=bearer("advisor"))).text
        en = (await http.get("/staff/templates", params={"lang": "en"}, headers=bearer("advisor"))).text
    assert "<h2>Vastaanottokuittaus – ruotsi" in fi and "Oman asian viesti (oikeutettu etu)" in fi
    assert "Peruste: service" not in fi and "Peruste</dt><dd>service" not in fi
    parts = re.findall(r"<dd>(\d+) (osa|osaa),", fi)
    assert parts and all((n == "1") == (word == "osa") for n, word in parts)
    assert "<h2>Receipt – Swedish" in en and re.search(r"<dd>1 part,", en)


async def test_the_fanout_page_and_the_preference_page(notify: Notify) -> None:
    url = notify.container.links.preferences_url("b@example.fi")
    path = "/" + url.split("/", 3)[3]
    async with client(notify.runtime) as http:
        fanouts = (await http.get("/staff/fanouts", headers=bearer("coordinator"))).text
        preferences = (await http.get(path, params={"lang": "fi"})).text
        swedish = (await http.get(path, params={"lang": "sv"})).text
    assert ">Viestejä<" in fanouts and "Jonossa" not in fanouts and "Ei joukkolähetyksiä." in fanouts
    assert 'class="checkbox"' not in preferences and preferences.count('class="choice"') == 3
    assert preferences.count("Et ole tilannut tätä aihetta") == 3
    assert 'aria-describedby="topic-newsletter-why"' in preferences and 'id="topic-newsletter-why"' in preferences
    assert "Du prenumererar inte på det här ämnet" in swedish
