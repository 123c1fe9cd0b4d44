"""The sink's pages in headless Chromium: no sideways scroll at 320 px, axe finds nothing (WCAG 2.1 A/AA), and a
mail's script never runs, neither in the frame of the message page nor on the HTML part's own page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from koonto.devsinks import MailSink, SmsSink
from tests.devsinks.integration.sample import send_sample
from tests.support.browser import axe_source, launched_chromium, run_axe


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as instance:
        yield instance


@pytest.fixture
def sink_with_mail(tmp_path: Path) -> Iterator[tuple[SmsSink, str]]:
    mail = MailSink(tmp_path / "mail").start()
    sms = SmsSink(tmp_path / "sms", mail_dir=tmp_path / "mail").start()
    long_subject = "Hankeidea vastaanotettu: " + "Pohjois-Savon-kylätoimintaverkoston-kehittämishanke" * 2
    record = send_sample(mail, long_subject)
    httpx.post(f"{sms.url}/2010-04-01/Accounts/AC1/Messages.json",
               data={"To": "+358401234567", "From": "Koonto", "Body": "Muistutus: työpaja huomenna klo 17."})
    yield sms, str(record["file"]).removesuffix(".eml")
    sms.stop()
    mail.stop()


@pytest.mark.parametrize("width", [320, 1280])
def test_list_and_message_fit_the_screen_and_pass_axe(
    browser: Any, sink_with_mail: tuple[SmsSink, str], width: int
) -> None:
    sms, mid = sink_with_mail
    # axe is injected as a script, which the pages' own policy (default-src 'none') refuses: bypassed here only
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    try:
        for path in ("/", f"/mail/{mid}"):
            page.goto(sms.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {width} px"
            assert run_axe(page, axe_source()) == [], path
    finally:
        context.close()


def test_the_mails_script_does_not_run_in_the_frame_or_on_its_own_page(
    browser: Any, sink_with_mail: tuple[SmsSink, str]
) -> None:
    sms, mid = sink_with_mail
    page = browser.new_page()
    try:
        page.goto(f"{sms.url}/mail/{mid}")
        frame = next(f for f in page.frames if f.url.endswith(f"/mail/{mid}/html"))
        frame.wait_for_load_state()
        assert frame.locator("h1").inner_text() == "Tervetuloa työpajaan"  # the HTML part is shown
        assert frame.evaluate("document.body.getAttribute('data-ran')") is None
        assert page.title() != "pwned"
        page.goto(f"{sms.url}/mail/{mid}/html")
        assert page.locator("h1").inner_text() == "Tervetuloa työpajaan"
        assert page.title() != "pwned"
        assert page.evaluate("document.body.getAttribute('data-ran')") is None
    finally:
        page.close()
