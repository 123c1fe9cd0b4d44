"""The domain errors as HTTP, in one place: which status each one is, and the answer, installed once (`install`).

A route lets a domain error propagate: under /api/ the answer is `json_error` (the message, the field, and what
else the error names), elsewhere the plain `{"detail": message}` of an HTTP error. Pages whose forms show the
message next to the field catch the error themselves and pick the status from `http_status`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from koonto.advisory.bootstrap import container_of
from koonto.advisory.domain.errors import (
    AdvisoryError,
    BadCredentials,
    Forbidden,
    Invalid,
    LinkExpired,
    NotFound,
    Refused,
    SignInRefused,
    Throttled,
)
from koonto.shared.error_pages import wants_page

STATUS: dict[type[AdvisoryError], int] = {
    NotFound: 404,
    Invalid: 422,
    Refused: 409,
    LinkExpired: 410,
    SignInRefused: 403,
    Forbidden: 403,
    Throttled: 429,
    BadCredentials: 401,
}
DEFAULT_RETRY_AFTER = 900


def http_status(exc: AdvisoryError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 400


def error_body(exc: AdvisoryError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    body.update(exc.extra)
    return body


def retry_after(exc: AdvisoryError) -> str:
    return str(exc.extra.get("retry_after", DEFAULT_RETRY_AFTER))


def json_error(exc: AdvisoryError, detail: str | None = None) -> JSONResponse:
    """The API's answer to a domain error: the message (or `detail`), the field, and what else the error names."""
    body = error_body(exc)
    if detail is not None:
        body["detail"] = detail
    if isinstance(exc, Throttled):
        return JSONResponse(body, status_code=http_status(exc), headers={"Retry-After": retry_after(exc)})
    body.pop("retry_after", None)
    return JSONResponse(body, status_code=http_status(exc))


def page_error(request: Request, exc: AdvisoryError) -> Response:
    """A page's answer to an error it does not show in a form: the shared error page with the message, in the
    reader's language."""
    if not wants_page(request):  # a script or a test that did not ask for HTML: the status and the message
        return JSONResponse({"detail": exc.message}, status_code=http_status(exc))
    pages = container_of(request).pages
    detail = exc.text(pages.catalogues.gettext) if pages is not None else exc.message
    return request.app.state.error_pages.page(request, http_status(exc), detail=detail)  # type: ignore[no-any-return]


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AdvisoryError)
    if not request.url.path.startswith("/api/"):
        return page_error(request, exc)
    pages = container_of(request).pages
    # how long to wait, in the caller's language
    detail = exc.text(pages.catalogues.gettext) if isinstance(exc, Throttled) and pages is not None else None
    response = json_error(exc, detail)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(AdvisoryError, on_domain_error)
