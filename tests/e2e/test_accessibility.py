"""axe-core (WCAG 2.1 A/AA) on every public and staff page, in Finnish, Swedish and English, at 1280 and at 320
CSS px: zero violations, and no page scrolls sideways at either width (WCAG 1.4.10 reflow:
`document.documentElement.scrollWidth <= innerWidth`).

Pages are found by following links from each service's start pages, as a person would, so a page added later
is checked without touching this test. Links that change state through GET are never followed. Every page
reached is also photographed at 390 and 1280 px (the viewport, into test-artifacts/) for a person to look at.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse, urlunparse

import httpx
import pytest

from koonto.shared.clock import HELSINKI
from tests.e2e.staff_login import sign_in
from tests.support.browser import axe_source, run_axe
from tests.support.system import System

SKIP_WORDS = ("logout", "kirjaudu-ulos", "signout", "unsubscribe", "erase", "delete", "redrive", "download",
              ".xlsx", ".pdf", ".csv", ".ics", "/api/", "/docs", "/redoc", "openapi", "/metrics", "/healthz",
              "/readyz", "/static/")
MAX_PAGES_PER_SERVICE = 25
WIDE, NARROW, PHONE, HEIGHT = 1280, 320, 390, 844

# Pages that another change fixes: notify's own staff pages move onto the shared staff layout in a branch of
# their own. Each entry is (service, path prefix) with what it measured on this branch; empty this list when
# that change is in. Nothing else may overflow.
KNOWN_OVERFLOW_ELSEWHERE: list[tuple[str, str]] = []

OVERFLOW_JS = """() => {
  const width = window.innerWidth, doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string'
      ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scrollWidth: doc.scrollWidth, innerWidth: width, wide: wide.slice(0, 6)};
}"""


# what people really type: long names, long addresses, long words; the pages must reflow around them
LONG_ORG = "Pohjois-Savon kylätoimintayhdistysten yhteistyöverkosto ry (Maaseutukehittämisyhdistys)"
LONG_EMAIL = "puheenjohtaja.kylatoimintayhdistys.pohjoissavo@esimerkkiyhdistys-kuopio.example.fi"


def _until(probe: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not seen within {timeout}s: {what}")


@pytest.fixture(scope="module")
def content(system: System) -> None:
    """Something on every page: ideas (cases, a follow-up, a report, mails in notify's log), a funding call,
    an event with sign-ups. Made through the public and staff APIs, as the forms would."""
    intake, advisory = system.services["intake"].url, system.services["advisory"].url
    token = httpx.post(f"{advisory}/api/v1/token",
                       data={"username": "admin@koonto.test", "password": "admin-password-for-tests"}).json()
    staff = {"Authorization": f"Bearer {token['access_token']}"}
    today = datetime.now(HELSINKI).date()
    made = httpx.post(f"{advisory}/api/v1/calls", headers=staff, json={
        "name": "Kansalaistoiminnan ja yhteisöllisyyden kehittämisen avustushaku 2027", "funder": LONG_ORG,
        "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=45)).isoformat(),
        "budget_eur": 1250000, "url": "https://www.example.fi/rahoitus/haut/kansalaistoiminnan-kehittaminen-2027"})
    assert made.status_code == 201, made.text
    starts = (datetime.now(HELSINKI) + timedelta(days=14)).replace(hour=17, minute=30, second=0, microsecond=0)
    made = httpx.post(f"{advisory}/api/v1/events", headers=staff, json={
        "title": "Hankehakemuksen työpaja: budjetointi, kustannusmallit ja maksatushakemukset", "kind": "training",
        "starts_at": starts.isoformat(), "capacity": 2, "municipality": "kuopio",
        "place": "Kuopion kaupunginkirjasto, Maaherrankatu 12, Kuopio", "description": "Työpaja."})
    assert made.status_code == 201, made.text
    event_id = made.json()["scheduled_event_id"]
    for i in range(4):
        idea = httpx.post(f"{intake}/api/v1/ideas", json={
            "organisation": {"name": f"{LONG_ORG} {i}", "type": "registered_association",
                             "business_id": "1572860-0", "municipality": "varkaus"},
            "contact": {"name": f"Maija-Liisa Kärkkäinen-Väänänen {i}", "email": f"{i}.{LONG_EMAIL}",
                        "phone": "+358401234567", "language": "fi", "channel": "email"},
            "title": f"Kylätalon esteettömyyden ja monikäyttöisyyden parantaminen {i}",
            "description": "Kylätalon sisäänkäynti, wc ja keittiö esteettömiksi. " * 6,
            "themes": ["inclusion"], "consents": {"privacy_notice": True}})
        assert idea.status_code == 201, idea.text

    def signed_up(i: int) -> bool:
        return httpx.post(f"{intake}/api/v1/registrations", json={
            "scheduled_event_id": event_id, "consents": {"privacy_notice": True},
            "organisation_name": LONG_ORG, "municipality": "kuopio",
            "participant": {"name": f"Osallistuja {i}", "email": f"osallistuja{i}.{LONG_EMAIL}", "language": "fi",
                            "channel": "email", "phone": "+358401234567"}}).status_code in (200, 201)

    for i in range(3):  # two seats and one place in line
        _until(partial(signed_up, i), "a registration accepted")
    cases = _until(lambda: [c for c in httpx.get(f"{advisory}/api/v1/cases", headers=staff).json()
                            if c["title"].startswith("Kylätalon")], "the cases opened")
    case = cases[0]
    made = httpx.post(f"{advisory}/api/v1/cases/{case['case_id']}/followups", headers=staff, json={
        "due_on": today.isoformat(), "note": "Soita yhdistykselle budjetista ja omarahoitusosuudesta."})
    assert made.status_code == 201, made.text
    _until(lambda: len(system.mail.messages) >= 7, "the receipts and registration mails sent")


def _normalise(url: str) -> str:
    parts = urlparse(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("lang="))
    return urlunparse((parts.scheme, parts.netloc, parts.path, "", query, ""))


VISITED: dict[str, list[str]] = {}
OVERFLOW: dict[str, dict[str, Any]] = {}  # "<width>:<url>" -> what overflowed


def _known_elsewhere(url: str) -> bool:
    path = urlparse(url).path
    return any(url.startswith(SYSTEM_URLS.get(service, "-")) and path.startswith(prefix)
               for service, prefix in KNOWN_OVERFLOW_ELSEWHERE)


SYSTEM_URLS: dict[str, str] = {}  # service -> base URL, set by the test before it crawls


def check_widths(page: Any, url: str, language: str, axe: str, shots: Path | None) -> list[dict[str, Any]]:
    """At 1280 px (as loaded) and at 320 px: the axe violations, and the page's sideways overflow kept in
    OVERFLOW; viewport screenshots at 390 and 1280 px into `shots`. Ends at 1280 px again."""
    violations = run_axe(page, axe)
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": HEIGHT})
        measured = page.evaluate(OVERFLOW_JS)
        if measured["scrollWidth"] > measured["innerWidth"] and not _known_elsewhere(url):
            OVERFLOW[f"{width}:{language}:{url}"] = measured
        if width == NARROW:
            violations += [dict(v, width=NARROW) for v in run_axe(page, axe)]
    if shots is not None:
        page.set_viewport_size({"width": PHONE, "height": HEIGHT})
        service = next((n for n, base in SYSTEM_URLS.items() if url.startswith(base)), "page")
        name = f"{service}{urlparse(url).path.replace('/', '-').rstrip('-')}"[:80]
        # the report's charts are what a phone makes small: the whole page there
        page.screenshot(path=str(shots / f"{name}-{language}-{PHONE}.png"), full_page="/raportit" in url)
    page.set_viewport_size({"width": WIDE, "height": HEIGHT})
    if shots is not None:
        page.screenshot(path=str(shots / f"{name}-{language}-{WIDE}.png"))
    return violations


def crawl(page: Any, starts: list[str], origin: str, language: str, axe: str,
          shots: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    seen: set[str] = set()
    queue = deque(starts)
    found: dict[str, list[dict[str, Any]]] = {}
    while queue and len(seen) < MAX_PAGES_PER_SERVICE:
        url = _normalise(queue.popleft())
        if url in seen:
            continue
        seen.add(url)
        separator = "&" if "?" in url else "?"
        response = page.goto(f"{url}{separator}lang={language}")
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert page.locator("html").get_attribute("lang") == language, f"{url}: html lang is not {language}"
        violations = check_widths(page, url, language, axe, shots)
        if violations:
            found[url] = violations
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(url, href)
            if urlparse(target).netloc != urlparse(origin).netloc or target.startswith("mailto:"):
                continue
            if any(word in target.lower() for word in SKIP_WORDS) or "#" in href[:1]:
                continue
            queue.append(target.split("#")[0])
    assert seen, f"no pages reached from {starts}"
    VISITED.setdefault(f"{language}:{origin}", []).extend(sorted(seen))
    return found


@pytest.mark.timeout(900)  # about 60 pages, each measured and checked by axe at two widths and photographed
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_public_and_staff_pages_have_no_wcag_violations(
    system: System, browser: Any, language: str, artifacts: Path, content: None
) -> None:
    axe = axe_source()
    SYSTEM_URLS.update({name: service.url for name, service in system.services.items()})
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": WIDE, "height": HEIGHT})
    page = context.new_page()
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    intake, reporting = system.services["intake"].url, system.services["reporting"].url
    results["public"] = crawl(page, [f"{intake}/", f"{reporting}/"], intake, language, axe, shots)
    results["showcase"] = crawl(page, [f"{reporting}/"], reporting, language, axe, shots)
    advisory = system.services["advisory"].url
    results["login"] = crawl(page, [f"{advisory}/login"], advisory, language, axe, shots)
    # what a browser gets for an error: a page in its language on the shared layout (never raw JSON), the same
    # axe rules; signed out, a staff page of notify is the 401 page with the way to the sign-in
    error_word = {"fi": "Virhe:", "sv": "Fel:", "en": "Error:"}[language]
    errors: dict[str, list[dict[str, Any]]] = {}
    for url, status in [(f"{system.services[n].url}/no-such-page", 404) for n in system.services if "-" not in n] + [
        (f"{system.services['notify'].url}/", 401)
    ]:
        response = page.goto(f"{url}?lang={language}")
        assert response is not None and response.status == status, url
        assert page.title().startswith(error_word), (url, page.title())
        assert page.locator("html").get_attribute("lang") == language
        violations = check_widths(page, url, language, axe, None)
        if violations:
            errors[url] = violations
    results["error pages"] = errors
    # the measurement sees an overflow when there is one: a page made 1000 px wide at 320 px
    page.goto(f"{intake}/?lang={language}")
    page.set_viewport_size({"width": NARROW, "height": HEIGHT})
    page.evaluate("() => { const d = document.createElement('div'); d.style.width = '1000px';"
                  " d.textContent = 'x'; document.querySelector('main').append(d); }")
    widened = page.evaluate(OVERFLOW_JS)
    assert widened["scrollWidth"] >= 1000 > widened["innerWidth"] and widened["wide"], widened
    page.set_viewport_size({"width": WIDE, "height": HEIGHT})
    sign_in(page, advisory, "admin@koonto.test", "admin-password-for-tests")
    starts = {"advisory": ["/"], "notify": ["/"], "reporting": ["/raportit", "/"]}
    for name, paths in starts.items():
        base = system.services[name].url
        results[name] = crawl(page, [f"{base}{path}" for path in paths], base, language, axe, shots)
    # the idea form in its error state: error summary, messages next to fields
    page.goto(f"{intake}/ideas/new?lang={language}")
    page.wait_for_timeout(1200)  # a person takes longer than the form's minimum fill time
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".error-summary a").count() > 0
    errors_state = check_widths(page, page.url, language, axe, None)
    if errors_state:
        results["idea form with errors"] = {page.url: errors_state}
    context.close()
    report = {area: pages for area, pages in results.items() if pages}
    (artifacts / f"axe-{language}.json").write_text(
        json.dumps({"violations": results, "visited": VISITED, "overflow": OVERFLOW}, indent=2, ensure_ascii=False)
    )
    visited = {origin: len(urls) for origin, urls in VISITED.items() if origin.startswith(language)}
    assert sum(visited.values()) >= 20, visited  # the crawl really went through the pages
    assert not report, json.dumps(report, indent=2, ensure_ascii=False)[:6000]
    overflowing = {key: seen for key, seen in OVERFLOW.items() if f":{language}:" in key}
    assert not overflowing, json.dumps(overflowing, indent=2, ensure_ascii=False)[:6000]
