"""The whole journey in a real browser, on real servers: association -> advisor -> association -> funder.

Screenshots of each step are saved under test-artifacts/ (phone-sized for the association's steps).
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import openpyxl

from koonto.shared.clock import HELSINKI
from tests.e2e.staff_login import sign_in
from tests.support.system import System

PHONE = {"width": 390, "height": 844}


def wait_for_mail(system: System, address: str, count: int = 1, timeout: float = 60) -> list[Message]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = system.mail.to(address)
        if len(messages) >= count:
            return messages
        time.sleep(0.1)
    raise AssertionError(f"{count} mail(s) to {address} did not arrive within {timeout}s")


def text_of(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no plain-text part")


def submit_idea_as_association(page: Any, intake_url: str, email: str, shots: Path) -> str:
    page.goto(f"{intake_url}/")
    page.screenshot(path=str(shots / "01-landing.png"), full_page=True)
    page.goto(f"{intake_url}/ideas/new")
    page.get_by_label("Yhdistyksen tai ryhmän nimi").fill("Kyläyhdistys Selain ry")
    page.get_by_label("Rekisteröity yhdistys").check()
    page.get_by_label("Y-tunnus").fill("1572860-0")
    page.get_by_label("Kunta", exact=True).select_option("iisalmi")
    page.get_by_label("Nimi", exact=True).fill("Selma Selain")
    page.get_by_role("textbox", name="Sähköposti").fill(email)
    page.get_by_label("Puhelinnumero").fill("040 123 4567")
    page.get_by_label("Idean nimi").fill("Kylätalon kohtaamispaikka")
    page.get_by_label("Kuvaus").fill("Avataan kylätalo kaikenikäisten kohtaamispaikaksi.")
    page.get_by_label("Kylät ja lähiyhteisöt").check()
    page.get_by_label("Olen lukenut tietosuojaselosteen").check()
    page.get_by_label("Hankkeen saa esitellä julkisesti").check()
    time.sleep(1.1)  # the form's minimum fill time (a person takes longer)
    page.screenshot(path=str(shots / "02-idea-form.png"), full_page=True)
    page.get_by_role("button", name="Jatka").click()
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "03-check-answers.png"), full_page=True)
    page.get_by_role("button", name="Lähetä idea").click()
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "04-receipt.png"), full_page=True)
    reference = re.search(r"[A-Z]{3}-\d{4}-\d{4}", page.inner_text("main"))
    assert reference, page.inner_text("main")[:500]
    return reference.group(0)


def test_association_advisor_and_funder_journey(system: System, browser: Any, artifacts: Path) -> None:
    email = "selma.selain@example.fi"
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fi-FI")
    page = phone.new_page()
    before = ideas_reported_so_far(system)  # the browser system is shared with the other e2e modules' ideas
    reference = submit_idea_as_association(page, system.services["intake"].url, email, artifacts)

    receipt = wait_for_mail(system, email)[0]
    body = text_of(receipt)
    assert reference in body
    status_link = re.search(r"https?://\S+/status/\S+", body)
    assert status_link, body
    page.goto(status_link.group(0))
    page.screenshot(path=str(artifacts / "05-status-idea.png"), full_page=True)
    assert "Idea vastaanotettu" in page.inner_text("main")

    create_call_and_funder(system)
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
    desk = staff.new_page()
    sign_in(desk, system.services["advisory"].url, "admin@koonto.test", "admin-password-for-tests")
    desk.screenshot(path=str(artifacts / "06-advisor-board.png"), full_page=True)
    open_case_and_advance(desk, system, reference, artifacts)

    page.goto(status_link.group(0))
    page.screenshot(path=str(artifacts / "09-status-preparing.png"), full_page=True)
    assert "Hakemus valmisteilla" in page.inner_text("main")
    status_mail = wait_for_mail(system, email, count=2)
    assert any("Hakemus valmisteilla" in text_of(m) for m in status_mail[1:])

    check_funder_report(browser, system, artifacts, expected_ideas=before + 1)
    phone.close()
    staff.close()


def staff_token(system: System) -> str:
    response = httpx.post(
        f"{system.services['advisory'].url}/api/v1/token",
        data={"username": "admin@koonto.test", "password": "admin-password-for-tests"},
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def create_call_and_funder(system: System) -> str:
    """Setup a person would do on other days: a funding call open today, and a funder account."""
    headers = {"Authorization": f"Bearer {staff_token(system)}"}
    advisory = system.services["advisory"].url
    today = datetime.now(HELSINKI).date()
    call = httpx.post(f"{advisory}/api/v1/calls", headers=headers, json={
        "name": "Kansalaistoiminnan kehittäminen 2027", "funder": "Itä-Suomen elinvoimakeskus",
        "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=60)).isoformat(), "budget_eur": 500000,
    })
    assert call.status_code == 201, call.text
    funder = httpx.post(f"{advisory}/api/v1/staff", headers=headers, json={
        "email": "rahoittaja@example.fi", "name": "Raili Rahoittaja", "roles": ["funder"],
        "password": "funder-password-for-tests",
    })
    assert funder.status_code == 201, funder.text
    return str(call.json()["call_id"])


def open_case_and_advance(desk: Any, system: System, reference: str, shots: Path) -> None:
    desk.goto(f"{system.services['advisory'].url}/")
    link = desk.get_by_role("link", name=re.compile(reference))
    deadline = time.monotonic() + 30
    while link.count() == 0 and time.monotonic() < deadline:  # the case opens when the event arrives
        time.sleep(0.5)
        desk.reload()
        link = desk.get_by_role("link", name=re.compile(reference))
    link.first.click()
    desk.wait_for_load_state()
    assert reference in desk.inner_text("main")
    desk.select_option("#kind", "phone")
    desk.fill("#duration_minutes", "45")
    desk.fill("#topics", "budjetti, hakemus")
    desk.fill("#note", "Käytiin läpi hakemuksen rakenne.")
    desk.get_by_role("button", name="Kirjaa neuvonta").click()
    desk.wait_for_load_state()
    desk.screenshot(path=str(shots / "07-session-logged.png"), full_page=True)
    assert "Puhelin" in desk.inner_text("main") or "phone" in desk.inner_text("main")
    for stage in ("sparring", "preparing"):
        desk.select_option("#to", stage)
        if stage == "preparing":
            desk.select_option("#call_id", index=1)
        desk.fill("#reason", "Edetään kohti hakua.")
        desk.get_by_role("button", name="Siirrä").click()
        desk.wait_for_load_state()
    desk.screenshot(path=str(shots / "08-case-preparing.png"), full_page=True)
    assert "Hakemus valmisteilla" in desk.inner_text("main")


def report_query() -> str:
    today = datetime.now(HELSINKI).date()
    return f"from={today.replace(day=1).isoformat()}&to={today.isoformat()}"


def ideas_reported_so_far(system: System) -> int:
    """Ideas in this month's report once it has stopped changing (ideas other tests sent may still flow in)."""
    headers = {"Authorization": f"Bearer {staff_token(system)}"}
    url = f"{system.services['reporting'].url}/api/v1/reports/summary?{report_query()}"
    last = -1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = httpx.get(url, headers=headers, timeout=20)
        response.raise_for_status()
        now = summary_ideas(response.json())
        if now == last:
            return now
        last = now
        time.sleep(1.0)
    return last


def check_funder_report(browser: Any, system: System, shots: Path, *, expected_ideas: int) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI", accept_downloads=True)
    page = context.new_page()
    sign_in(page, system.services["advisory"].url, "rahoittaja@example.fi", "funder-password-for-tests")
    reporting = system.services["reporting"].url
    query = report_query()
    deadline = time.monotonic() + 30
    while True:  # the report follows the events
        page.goto(f"{reporting}/api/v1/reports/summary?{query}")
        summary = json.loads(page.inner_text("body"))
        if summary_ideas(summary) >= expected_ideas or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert summary_ideas(summary) == expected_ideas, summary
    page.goto(f"{reporting}/raportit?{query}")
    page.screenshot(path=str(shots / "10-funder-dashboard.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("xlsx")).click()
    target = shots / "report.xlsx"
    download_info.value.save_as(str(target))
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames
    context.close()


def summary_ideas(summary: dict[str, Any]) -> int:
    """Ideas received in the report, wherever the report keeps the figure."""
    for key in ("ideas_received", "ideas"):
        value = summary.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, dict) and isinstance(value.get("total"), int):
            return int(value["total"])
    headline = summary.get("headline") or summary.get("totals") or {}
    return int(headline.get("ideas_received", 0)) if isinstance(headline, dict) else 0
