"""The answer a browser gets for an HTTP error: a page in the reader's language on the shared layout, never raw
JSON. The API (and the other machine-read paths) keep their JSON answers.

One place for every service: a 404 for an address that does not exist, a 405, a 401 on a staff page of a
signed-out browser (with the way to the sign-in), a 403, a 500. The page's `<title>` starts with "Virhe:" /
"Fel:" / "Error:" (the GOV.UK pattern), so a screen reader user hears at once that something went wrong.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from koonto.shared.i18n import Catalogues, language, negotiate
from koonto.shared.pages import SHARED_LOCALE, SHARED_TEMPLATES, Pages


def N_(message: str) -> str:  # the gettext marker the catalogue extraction looks for
    return message


HTTP_PHRASES = {status.phrase for status in HTTPStatus}
MACHINE_PATHS = ("/api/", "/.well-known/", "/readyz", "/healthz", "/metrics", "/static/")

ERROR_WORD = N_("Virhe")
TITLES = {
    400: N_("Pyyntöä ei voitu käsitellä"),
    401: N_("Kirjaudu sisään"),
    403: N_("Ei käyttöoikeutta"),
    404: N_("Sivua ei löytynyt"),
    405: N_("Toimintoa ei voi tehdä tällä sivulla"),
    410: N_("Sivu on poistunut"),
    413: N_("Lähetys on liian suuri"),
    429: N_("Liian monta pyyntöä"),
    500: N_("Palvelussa tapahtui virhe"),
}
TEXTS = {
    400: N_("Tarkista tiedot ja yritä uudelleen."),
    401: N_("Tämä sivu on henkilökunnalle. Kirjaudu sisään henkilökunnan työtilassa ja palaa sitten tälle sivulle."),
    403: N_("Tunnuksellasi ei ole oikeutta tähän sivuun. Jos tarvitset sen, pyydä oikeutta hankkeen "
            "koordinaattorilta."),
    404: N_("Tarkista osoite. Jos tulit tänne linkistä, sivu on voinut siirtyä tai poistua."),
    405: N_("Sivua ei voi käyttää näin. Palaa edelliselle sivulle ja yritä uudelleen."),
    410: N_("Sivu ei ole enää käytössä."),
    413: N_("Lähetä vähemmän tietoa kerralla."),
    429: N_("Odota hetki ja yritä uudelleen."),
    500: N_("Yritä hetken kuluttua uudelleen. Jos virhe toistuu, ota yhteyttä hankkeeseen."),
}
SIGN_IN = N_("Kirjaudu sisään henkilökunnan työtilaan")
FRONT_PAGE = N_("Siirry etusivulle")


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not a machine that asked for JSON)."""
    if request.url.path.startswith(MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


class ErrorPages:
    """Renders an HTTP error as a page; renders with the shared templates only and never touches the store."""

    def __init__(self, service: str, sign_in_url: str) -> None:
        self.pages = Pages(SHARED_TEMPLATES, Catalogues(SHARED_LOCALE), service=service)
        self.sign_in_url = sign_in_url

    def page(self, request: Request, status: int, *, detail: str = "") -> Response:
        """The page of `status`; `detail`: a specific message of the service's own, in the reader's language."""
        catalogues = self.pages.catalogues
        code = status if status in TITLES else (500 if status >= 500 else 400)
        with language(negotiate(request)):
            title = catalogues.gettext(TITLES[code])
            text = catalogues.gettext(TEXTS[code])
            response = self.pages.render(
                request, "error.html", status_code=status, page_title=f"{catalogues.gettext(ERROR_WORD)}: {title}",
                heading=title, message=text, detail=detail if detail not in (title, text) else "",
                sign_in_url=self.sign_in_url if status == 401 else "", front_page_text=catalogues.gettext(FRONT_PAGE),
                sign_in_text=catalogues.gettext(SIGN_IN), code=status,
            )
        return response

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not wants_page(request):
            return await http_exception_handler(request, exc)
        detail = str(exc.detail or "")
        if " / " in detail or detail in HTTP_PHRASES:  # the API's bilingual one-liners and Starlette's phrases
            detail = ""
        with language(negotiate(request)):
            detail = self.pages.catalogues.gettext(detail) if detail else ""
        response = self.page(request, exc.status_code, detail=detail)
        for name, value in (exc.headers or {}).items():
            if name.lower() != "www-authenticate":  # a browser would show its own password prompt
                response.headers[name] = value
        return response
