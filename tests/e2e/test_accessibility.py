"""axe-core (WCAG 2.1 A/AA) on every public and staff page, in Finnish and Swedish: zero violations.

Pages are found by following links from each service's start pages, as a person would, so a page added later
is checked without touching this test. Links that change state through GET are never followed.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse, urlunparse

import pytest

from tests.e2e.staff_login import sign_in
from tests.support.browser import axe_source, run_axe
from tests.support.system import System

SKIP_WORDS = ("logout", "kirjaudu-ulos", "signout", "unsubscribe", "erase", "delete", "redrive", "download",
              ".xlsx", ".pdf", ".csv", ".ics", "/api/", "/docs", "/redoc", "openapi", "/metrics", "/healthz",
              "/readyz", "/static/")
MAX_PAGES_PER_SERVICE = 25


def _normalise(url: str) -> str:
    parts = urlparse(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("lang="))
    return urlunparse((parts.scheme, parts.netloc, parts.path, "", query, ""))


VISITED: dict[str, list[str]] = {}


def crawl(page: Any, starts: list[str], origin: str, language: str, axe: str) -> dict[str, list[dict[str, Any]]]:
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
        violations = run_axe(page, axe)
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


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_public_and_staff_pages_have_no_wcag_violations(
    system: System, browser: Any, language: str, artifacts: Path
) -> None:
    axe = axe_source()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    intake, reporting = system.services["intake"].url, system.services["reporting"].url
    results["public"] = crawl(page, [f"{intake}/", f"{reporting}/"], intake, language, axe)
    results["showcase"] = crawl(page, [f"{reporting}/"], reporting, language, axe)
    advisory = system.services["advisory"].url
    results["login"] = crawl(page, [f"{advisory}/login"], advisory, language, axe)
    # what a browser gets for an error: a page in its language on the shared layout (never raw JSON), the same
    # axe rules; signed out, a staff page of notify is the 401 page with the way to the sign-in
    error_word = {"fi": "Virhe:", "sv": "Fel:"}[language]
    errors: dict[str, list[dict[str, Any]]] = {}
    for url, status in [(f"{system.services[n].url}/no-such-page", 404) for n in system.services if "-" not in n] + [
        (f"{system.services['notify'].url}/", 401)
    ]:
        response = page.goto(f"{url}?lang={language}")
        assert response is not None and response.status == status, url
        assert page.title().startswith(error_word), (url, page.title())
        assert page.locator("html").get_attribute("lang") == language
        violations = run_axe(page, axe)
        if violations:
            errors[url] = violations
    results["error pages"] = errors
    sign_in(page, advisory, "admin@koonto.test", "admin-password-for-tests")
    starts = {"advisory": ["/"], "notify": ["/"], "reporting": ["/raportit", "/"]}
    for name, paths in starts.items():
        base = system.services[name].url
        results[name] = crawl(page, [f"{base}{path}" for path in paths], base, language, axe)
    # the idea form in its error state: error summary, messages next to fields
    page.goto(f"{intake}/ideas/new?lang={language}")
    page.wait_for_timeout(1200)  # a person takes longer than the form's minimum fill time
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".error-summary a").count() > 0
    errors_state = run_axe(page, axe)
    if errors_state:
        results["idea form with errors"] = {page.url: errors_state}
    context.close()
    report = {area: pages for area, pages in results.items() if pages}
    (artifacts / f"axe-{language}.json").write_text(
        json.dumps({"violations": results, "visited": VISITED}, indent=2, ensure_ascii=False)
    )
    visited = {origin: len(urls) for origin, urls in VISITED.items() if origin.startswith(language)}
    assert sum(visited.values()) >= 20, visited  # the crawl really went through the pages
    assert not report, json.dumps(report, indent=2, ensure_ascii=False)[:6000]
