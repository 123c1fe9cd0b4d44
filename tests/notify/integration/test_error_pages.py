"""A browser never gets raw JSON for an HTTP error (issue 13, "Everywhere"): a 404, a 405 and a signed-out staff
page answer with a page on the shared layout, in the reader's language, whose title starts with "Virhe:" /
"Fel:" / "Error:", and the signed-out page links to the sign-in. The API keeps its JSON answers. Checked on notify
(the service whose front page showed `{"detail":"Kirjaudu sisään. / Sign in required."}`); the handler is the
shared runtime's, the same in every service."""

from __future__ import annotations

import re

from tests.notify.integration.conftest import Notify
from tests.support.services import client

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return found.group(1).strip() if found else ""


async def test_a_browser_gets_error_pages_in_its_language_and_the_api_keeps_json(notify: Notify) -> None:
    async with client(notify.runtime) as http:
        missing = await http.get("/no-such-page", headers={**BROWSER, "Accept-Language": "fi"})
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
        assert title(missing.text).startswith("Virhe: Sivua ei löytynyt")
        assert '<html lang="fi">' in missing.text and "Tarkista osoite." in missing.text
        assert '{"detail"' not in missing.text

        swedish = await http.get("/no-such-page", headers=BROWSER, params={"lang": "sv"})
        assert swedish.status_code == 404 and title(swedish.text).startswith("Fel: Sidan hittades inte")

        signed_out = await http.get("/staff/notifications", headers=BROWSER, params={"lang": "en"})
        assert signed_out.status_code == 401 and title(signed_out.text).startswith("Error: Sign in")
        assert 'href="http://127.0.0.1:8002/login"' in signed_out.text
        assert "www-authenticate" not in signed_out.headers  # no browser password prompt

        wrong_method = await http.delete("/staff/notifications", headers=BROWSER, params={"lang": "fi"})
        assert wrong_method.status_code == 405 and title(wrong_method.text).startswith("Virhe:")
        assert "allow" in wrong_method.headers

        # the API, and a client that did not ask for a page, keep JSON
        api = await http.get("/api/v1/notifications", headers=BROWSER)
        assert api.status_code == 401 and api.json()["detail"].startswith("Kirjaudu sisään")
        plain = await http.get("/no-such-page")
        assert plain.status_code == 404 and plain.json() == {"detail": "Not Found"}
