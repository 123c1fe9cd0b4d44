"""The domain errors as HTTP responses, in one place: JSON for the API, a page for the HTML routes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from koonto.notify.domain.errors import (
    InvalidLink,
    NewsletterNotEditable,
    NotFound,
    NotifyError,
    NotInRegion,
    NotResendable,
)

NOT_FOUND = "Ei löytynyt. / Not found."

JSON_ERRORS: dict[type[NotifyError], tuple[int, str]] = {
    NotFound: (404, NOT_FOUND),
    NotResendable: (409, "Vain epävarman (unconfirmed) viestin voi lähettää uudelleen."),
    InvalidLink: (404, NOT_FOUND),
    NotInRegion: (403, "Ei koordinaattorin oikeuksia tällä alueella. / No coordinator role in this region."),
    NewsletterNotEditable: (409, "Uutiskirje on jo ajastettu tai lähtenyt. / The newsletter was scheduled or sent."),
}


def respond(request: Request, exc: NotifyError) -> Response:
    if isinstance(exc, InvalidLink) and not request.url.path.startswith("/api/"):
        pages = request.app.state.container.pages
        return pages.render(request, "invalid_link.html", status_code=404, page_title="Linkki ei kelpaa")
    status, detail = next((v for k, v in JSON_ERRORS.items() if isinstance(exc, k)), (400, str(exc)))
    return JSONResponse({"detail": detail}, status_code=status)


def install(app: FastAPI) -> None:
    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotifyError)
        return respond(request, exc)

    app.add_exception_handler(NotifyError, handler)
