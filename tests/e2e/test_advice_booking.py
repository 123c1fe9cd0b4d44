"""Booking an advice time (hankeklinikka) in a real browser on the whole running system: an advisor publishes two
times on /slots; on a phone, a person books one on intake's public page without JavaScript-dependent steps, gets
the confirmation mail, moves the booking to the other time through the mail's link with one click, then cancels
it; the advisor's /bookings page shows both bookings. Each new page is checked with axe (WCAG 2.1 AA) and for
sideways scrolling at 320 px. Screenshots at 390 and 1280 px go to test-artifacts/."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from koonto.shared.clock import HELSINKI
from tests.e2e.staff_login import sign_in
from tests.e2e.test_journey import PHONE, text_of, wait_for_mail
from tests.support.browser import axe_source, run_axe
from tests.support.system import System

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 800}


def accessible(page: Any, axe: str, found: dict[str, Any]) -> None:
    """axe (WCAG 2.1 A and AA) on the page as it is now, and no sideways scrolling at 320 px."""
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    violations = run_axe(page, axe)
    page.set_viewport_size(size)
    if violations or wide:
        found[page.url] = {"violations": violations, "scrolls_sideways": wide}


def _local(days: int, hour: int) -> str:
    day = datetime.now(HELSINKI).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def publish_two_times(desk: Any, advisory: str, shots: Path) -> None:
    for days, hour, kind in ((3, 10, "phone"), (4, 13, "online")):
        desk.goto(f"{advisory}/slots")
        desk.get_by_label("Alkaa").fill(_local(days, hour))
        desk.get_by_label("Päättyy").fill(_local(days, hour)[:-5] + f"{hour:02d}:45")
        desk.locator(f"#kind-{kind}").check()
        if kind == "online":
            desk.get_by_label("Linkki (verkkotapaamiselle)").fill("https://meet.example.fi/hankeklinikka")
        desk.get_by_role("button", name="Julkaise aika").click()
        assert "Neuvonta-aika julkaistu." in desk.inner_text("main"), desk.inner_text("main")[:500]
    desk.screenshot(path=str(shots / "advisory-slots-fi-1280.png"), full_page=True)


def wait_for_times(page: Any, intake: str, count: int) -> None:
    for _ in range(100):
        page.goto(f"{intake}/advice")
        if page.get_by_role("link", name=re.compile("Varaa tämä aika")).count() == count:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{count} free times were not offered: {page.inner_text('main')[:500]}")


def test_book_then_rebook_and_cancel_through_the_mail_link(system: System, browser: Any, artifacts: Path) -> None:
    advisory, intake = system.services["advisory"].url, system.services["intake"].url
    axe, problems = axe_source(), {}
    staff = browser.new_context(viewport=WIDE, locale="fi-FI")
    desk = staff.new_page()
    sign_in(desk, advisory, "admin@koonto.test", "admin-password-for-tests")
    publish_two_times(desk, advisory, artifacts)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fi-FI")
    page = phone.new_page()
    wait_for_times(page, intake, 2)
    page.screenshot(path=str(artifacts / "intake-advice-fi-390.png"), full_page=True)
    accessible(page, axe, problems)
    page.get_by_role("link", name=re.compile("Varaa tämä aika")).first.click()
    page.get_by_role("button", name="Varaa aika").click()  # nothing filled: every missing answer named
    assert "Kerro lyhyesti, mistä haluat keskustella." in page.inner_text("main")
    accessible(page, axe, problems)  # the form with its error summary
    page.get_by_label("Mistä haluat keskustella?").fill("Kylätalon esteettömyys: mistä rahoitusta?")
    page.get_by_label("Nimi", exact=True).fill("Selma Selain")
    email = "selma.varaa@example.fi"
    page.get_by_role("textbox", name="Sähköposti").fill(email)
    page.get_by_label("Puhelinnumero").fill("040 123 4567")
    page.get_by_label("Olen lukenut tietosuojaselosteen").check()
    page.screenshot(path=str(artifacts / "intake-advice-book-fi-390.png"), full_page=True)
    page.get_by_role("button", name="Varaa aika").click()
    if "Vahvista lähetys" in page.inner_text("main"):  # sent faster than a person types: asked once to confirm
        assert page.get_by_label("Nimi", exact=True).input_value() == "Selma Selain"  # with the answers kept
        page.get_by_role("button", name="Varaa aika").click()
    assert "Neuvonta-aika varattu" in page.inner_text("main")

    confirmation = wait_for_mail(system, email)[0]
    assert any(part.get_content_type() == "text/calendar" for part in confirmation.walk())
    link = re.search(r"https?://\S+/advice/booking/\S+", text_of(confirmation))
    assert link, text_of(confirmation)
    page.goto(link.group(0))
    page.screenshot(path=str(artifacts / "intake-advice-booking-fi-390.png"), full_page=True)
    accessible(page, axe, problems)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Siirrä varaus valittuun aikaan").click()
    assert "Varaus siirretty uuteen aikaan." in page.inner_text("main")
    moved = wait_for_mail(system, email, count=2)[1]
    assert "https://meet.example.fi/hankeklinikka" in text_of(moved)
    page.get_by_role("button", name="Peru varaus").click()
    assert "Varaus peruttu." in page.inner_text("main")
    accessible(page, axe, problems)
    wait_for_times(page, intake, 2)  # both times free again

    for _ in range(100):
        desk.goto(f"{advisory}/bookings")
        shown = desk.inner_text("main")
        if shown.count("Selma Selain") == 2 and "Peruttu" in shown and "Siirretty toiseen aikaan" in shown:
            break
        desk.wait_for_timeout(200)
    main = desk.inner_text("main")
    assert main.count("Selma Selain") == 2 and "Uusi yhteydenotto, ei tapausta" in main, main[:800]
    assert "Peruttu" in main and "Siirretty toiseen aikaan" in main  # the moved booking and the cancelled one
    desk.screenshot(path=str(artifacts / "advisory-bookings-fi-1280.png"), full_page=True)
    accessible(desk, axe, problems)
    desk.set_viewport_size(PHONE)
    desk.screenshot(path=str(artifacts / "advisory-bookings-fi-390.png"), full_page=True)
    desk.goto(f"{advisory}/slots")
    desk.screenshot(path=str(artifacts / "advisory-slots-fi-390.png"), full_page=True)
    accessible(desk, axe, problems)
    page.set_viewport_size(WIDE)
    page.goto(f"{intake}/advice?lang=sv")
    page.screenshot(path=str(artifacts / "intake-advice-sv-1280.png"), full_page=True)
    accessible(page, axe, problems)
    assert problems == {}
    phone.close()
    staff.close()
