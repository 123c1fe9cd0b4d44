"""Draft -> attach -> submit in a real browser with JavaScript switched off, on the whole system as processes:
the idea form saved as a draft (a refused file named in the form's errors, the answers kept), the resume link
from the mail notify sent, more files, the check step, the receipt, and the files on the status page.

Screenshots at 390 and 1280 px are saved under test-artifacts/ (the form with files and errors, the resume page,
the check step and the status page)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.test_journey import text_of, wait_for_mail
from tests.support.system import System

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def both_widths(page: Any, shots: Path, name: str) -> None:
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} at {label}"
    page.set_viewport_size(PHONE)


def test_draft_attach_and_submit_without_javascript(
    system: System, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "suunnitelma.pdf"
    plan.write_bytes(b"%PDF-1.4\n" + b"plan " * 2000 + b"\n%%EOF\n")
    program = tmp_path / "ohjelma.pdf"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 400)
    photo = tmp_path / "kylatalo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 300)
    email = "dora.draft@example.fi"
    intake = system.services["intake"].url

    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="fi-FI")
    page = context.new_page()
    page.goto(f"{intake}/ideas/new")
    page.get_by_label("Yhdistyksen tai ryhmän nimi").fill("Luonnoskylän seura ry")
    page.get_by_role("textbox", name="Sähköposti").fill(email)
    page.get_by_label("Idean nimi").fill("Luonnoskylän kylätalo")
    page.locator("#attachments").set_input_files([str(plan), str(program)])
    time.sleep(1.1)  # the form's minimum fill time
    page.get_by_role("button", name="Tallenna luonnoksena").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Tiedostoa ohjelma.pdf ei voi liittää" in main, main[:800]
    assert page.get_by_label("Yhdistyksen tai ryhmän nimi").input_value() == "Luonnoskylän seura ry"
    assert "suunnitelma.pdf" in main
    both_widths(page, artifacts, "01-form-with-attachment-and-error")

    time.sleep(1.1)  # the form shown again has its own minimum fill time (on a quiet machine the click beat it)
    page.get_by_role("button", name="Tallenna luonnoksena").click()
    page.wait_for_load_state()
    assert "Luonnos tallennettu" in page.inner_text("main")
    both_widths(page, artifacts, "02-draft-saved")

    mail = text_of(wait_for_mail(system, email)[0])
    resume = re.search(r"https?://\S+/ideas/draft/\S+", mail)
    assert resume, mail
    page.goto(resume.group(0))
    assert page.get_by_label("Idean nimi").input_value() == "Luonnoskylän kylätalo"
    assert "suunnitelma.pdf" in page.inner_text("main")
    both_widths(page, artifacts, "03-resume-page")

    page.get_by_label("Rekisteröity yhdistys").check()
    page.get_by_label("Y-tunnus").fill("1572860-0")
    page.get_by_label("Kunta", exact=True).select_option("kuopio")
    page.get_by_label("Nimi", exact=True).fill("Dora Draft")
    page.get_by_label("Kuvaus").fill("Kylätalosta kohtaamispaikka, suunnitelma liitteenä.")
    page.get_by_label("Kylät ja lähiyhteisöt").check()
    page.get_by_label("Olen lukenut tietosuojaselosteen").check()
    page.locator("#attachments").set_input_files([str(photo)])
    time.sleep(1.1)
    page.get_by_role("button", name="Jatka").click()
    page.wait_for_load_state()
    check = page.inner_text("main")
    assert "suunnitelma.pdf" in check and "kylatalo.png" in check, check[:800]
    both_widths(page, artifacts, "04-check-answers")
    page.get_by_role("button", name="Lähetä idea").click()
    page.wait_for_load_state()
    assert re.search(r"[A-Z]{3}-\d{4}-\d{4}", page.inner_text("main"))

    receipt = text_of(wait_for_mail(system, email, count=2)[1])
    status = re.search(r"https?://\S+/status/\S+", receipt)
    assert status, receipt
    page.goto(status.group(0))
    both_widths(page, artifacts, "05-status-page")
    link = page.get_by_role("link", name="suunnitelma.pdf")
    href = link.get_attribute("href")
    assert href
    download = httpx.get(f"{intake}{href}")
    assert download.status_code == 200 and download.content == plan.read_bytes()
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment")
    # the resume link of a sent draft says clearly that it is gone
    page.goto(resume.group(0))
    assert "Luonnos on vanhentunut" in page.inner_text("main")
    context.close()
