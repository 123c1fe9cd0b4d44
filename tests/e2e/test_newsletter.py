"""A newsletter in a real browser on the whole running system: two people subscribe on intake and confirm through
the mail's link; a coordinator goes from the staff workspace's navigation to notify's newsletters, composes one in
Finnish and Swedish for the Kuopio sub-region (plain form, no JavaScript), sees the number of recipients and the
preview in both languages, sends it and watches the progress page reach 100 %; only the subscriber in the segment
gets it, in Swedish, and its "view in browser" link opens intake's public archive. New pages are checked with axe
and for sideways scrolling at 320 px; screenshots at 390 and 1280 px go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.staff_login import sign_in
from tests.e2e.test_advice_booking import WIDE, accessible
from tests.e2e.test_journey import PHONE, text_of, wait_for_mail
from tests.support.browser import axe_source
from tests.support.system import System


def subscribe_and_confirm(system: System, page: Any, email: str, municipality: str, language: str) -> None:
    intake = system.services["intake"].url
    asked = httpx.post(
        f"{intake}/api/v1/subscriptions",
        json={
            "email": email,
            "topics": ["newsletter"],
            "language": language,
            "municipality": municipality,
            "consents": {"privacy_notice": True},
        },
        timeout=10,
    )
    assert asked.status_code == 202, asked.text
    link = re.search(r"https?://\S+/subscriptions/confirm/\S+", text_of(wait_for_mail(system, email)[0]))
    assert link
    page.goto(link.group(0))
    page.locator("main form button[type=submit]").first.click()


def shoot(page: Any, folder: Path, name: str) -> None:
    size = page.viewport_size
    for width, viewport in (("390", PHONE), ("1280", WIDE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def test_compose_preview_and_send_a_newsletter_to_a_segment(system: System, browser: Any, artifacts: Path) -> None:
    advisory, intake = system.services["advisory"].url, system.services["intake"].url
    axe, problems = axe_source(), {}
    person = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fi-FI").new_page()
    subscribe_and_confirm(system, person, "kuopiolainen@example.fi", "siilinjarvi", "sv")
    subscribe_and_confirm(system, person, "iisalmelainen@example.fi", "iisalmi", "fi")

    staff = browser.new_context(viewport=WIDE, locale="fi-FI")
    desk = staff.new_page()
    sign_in(desk, advisory, "admin@koonto.test", "admin-password-for-tests")
    desk.locator(".nav-wide").get_by_role("link", name="Uutiskirjeet").click()
    desk.get_by_role("link", name="Kirjoita uusi uutiskirje").click()
    assert "Uusi uutiskirje" in desk.inner_text("main"), desk.url + desk.inner_text("main")[:800]
    desk.get_by_role("button", name="Tallenna ja esikatsele").click()  # nothing written: the errors named
    assert "Kirjoita otsikko suomeksi." in desk.inner_text("main")
    accessible(desk, axe, problems)
    desk.get_by_label(re.compile("Kuopion seutukunta")).check()
    desk.locator("#subject_fi").fill("Joulukuun uutiset")
    desk.locator("#body_fi").fill(
        "## Ajankohtaista\n\nHei **kaikki**! Haku avautuu tammikuussa.\n\n"
        "- Hankeklinikka torstaisin\n- [Lisätietoja](https://koonto.example.fi)"
    )
    desk.locator("#subject_sv").fill("Decembernytt")
    desk.locator("#body_sv").fill("Hej **alla**! Ansökan öppnar i januari.\n\n<script>alert(1)</script>")
    shoot(desk, artifacts, "notify-newsletter-compose-fi")
    accessible(desk, axe, problems)
    desk.get_by_role("button", name="Tallenna ja esikatsele").click()

    main = desk.inner_text("main")
    assert "1 vastaanottaja" in main and "Kuopio, Siilinjärvi" in main, main[:800]
    finnish = desk.frame_locator("#preview-fi iframe").locator("body").inner_text()
    swedish = desk.frame_locator("#preview-sv iframe").locator("body").inner_text()
    assert "Hei kaikki!" in finnish and "Lue selaimessa" in finnish
    assert "Hej alla!" in swedish and "<script>alert(1)</script>" in swedish  # shown as text, never run
    shoot(desk, artifacts, "notify-newsletter-preview-fi")
    accessible(desk, axe, problems)

    desk.get_by_role("button", name="Lähetä nyt").click()
    for _ in range(60):  # the page refreshes itself every 5 s without JavaScript; a reload is the same
        if "100 %" in desk.inner_text("#progress-title + p"):
            break
        desk.wait_for_timeout(500)
        desk.reload()
    assert "100 %" in desk.inner_text("main") and desk.inner_text("#sent") == "1", desk.inner_text("main")[:800]
    shoot(desk, artifacts, "notify-newsletter-progress-fi")
    accessible(desk, axe, problems)

    mail = wait_for_mail(system, "kuopiolainen@example.fi", count=2)[1]
    assert mail["Subject"] == "Decembernytt" and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert system.mail.to("iisalmelainen@example.fi")[1:] == []  # outside the segment: only the confirm link
    view = re.search(r"https?://\S+/newsletters/\S+", text_of(mail))
    assert view and view.group(0).startswith(intake)
    person.goto(view.group(0))
    assert "Decembernytt" in person.inner_text("main") and "<script>" in person.inner_text("main")
    shoot(person, artifacts, "intake-newsletter-sv")
    accessible(person, axe, problems)
    person.goto(f"{intake}/newsletters?lang=fi")
    assert "Joulukuun uutiset" in person.inner_text("main")
    shoot(person, artifacts, "intake-newsletters-fi")
    accessible(person, axe, problems)
    assert problems == {}
    staff.close()
