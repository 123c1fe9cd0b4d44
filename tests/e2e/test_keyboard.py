"""The idea form can be completed with the keyboard alone (WCAG 2.1.1): Tab, typing, Space and Enter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.support.system import System

TYPED = {
    "organisation.name": "Näppäimistöyhdistys ry",
    "organisation.business_id": "1572860-0",
    "contact.name": "Kaisa Kantonen",
    "contact.email": "kaisa.kantonen@example.fi",
    "title": "Näppäimistöllä tehty idea",
    "description": "Koko lomake täytettiin ilman hiirtä.",
}
TICKED = {"themes": "village", "consents.privacy_notice": None}


def focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(), name: e.name || '',
                   type: e.type || '', value: e.value || '', text: (e.innerText || '').trim()}; }"""
    )


def test_idea_form_with_the_keyboard_only(system: System, browser: Any, artifacts: Path) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI").new_page()
    page.goto(f"{system.services['intake'].url}/ideas/new")
    page.wait_for_timeout(1200)  # a person takes longer than the minimum fill time
    done_typing: set[str] = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        element = focused(page)
        name = element["name"]
        if element["tag"] in ("input", "textarea") and name in TYPED and name not in done_typing:
            page.keyboard.type(TYPED[name])
            done_typing.add(name)
        elif element["tag"] == "select" and name == "organisation.municipality":
            page.keyboard.type("Iisalmi")
        elif element["type"] == "radio" and name == "organisation.type":
            page.keyboard.press("Space")  # a radio group is one Tab stop; Space picks the focused choice
        elif element["type"] == "checkbox" and name in TICKED and (TICKED[name] in (None, element["value"])):
            page.keyboard.press("Space")
        elif element["tag"] == "button" and element["text"] == "Jatka":
            assert done_typing == set(TYPED), f"not reached with Tab: {set(TYPED) - done_typing}"
            with page.expect_navigation():  # the screenshot waits for the next page, not the one leaving
                page.keyboard.press("Enter")
            break
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "check-answers.png"), full_page=True)
    assert "Iisalmi" in page.inner_text("main"), page.inner_text("main")[:800]
    for _ in range(100):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] == "button" and element["text"] == "Lähetä idea":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "receipt.png"), full_page=True)
    assert re.search(r"KOO-\d{4}-\d{4}", page.inner_text("main")), page.inner_text("main")[:800]
