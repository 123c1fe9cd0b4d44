"""Every error a request can end in, turned into its answer once: JSON under /api/, a page elsewhere.
A body over the limit gets intake's own problem page; a refused JSON body is answered by the shared handler
(`koonto.shared.bodies`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.errors import EventNotOpen, FormTokenMismatch, IdempotencyConflict, LinkRefused
from koonto.intake.domain.messages import CHECK_THE_FORM, N_, FieldErrors, Message
from koonto.intake.domain.registrations import EVENT_UNKNOWN
from koonto.shared.bodies import BODY_TOO_LARGE, BodyTooLarge
from koonto.shared.web import OrjsonResponse

TOO_MANY_REQUESTS = N_("Liian monta lähetystä lyhyessä ajassa. Yritä uudelleen {minutes} minuutin kuluttua.")
IDEMPOTENCY_CONFLICT = N_("Tämä Idempotency-Key on jo käytetty toisen idean kanssa. Käytä uutta avainta.")
LINK_INVALID = N_("Linkki ei kelpaa. Tarkista, että kopioit koko linkin sähköpostista.")
LINK_EXPIRED = N_("Linkki on vanhentunut.")
IDEA_NOT_FOUND = N_("Ideaa ei löytynyt.")
CSRF_FAILED = N_("Lomakkeen tarkiste ei täsmää. Avaa sivu uudelleen linkistä ja yritä uudelleen.")

# a refused link: (status, message), shown with the contact details
LINK_PROBLEMS = {"expired": (410, LINK_EXPIRED), "missing": (404, IDEA_NOT_FOUND), "invalid": (403, LINK_INVALID)}


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _container(request: Request) -> IntakeContainer:
    return request.app.state.container  # type: ignore[no-any-return]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def invalid(deps: IntakeContainer, errors: FieldErrors) -> OrjsonResponse:
    """422 with a message per field, in the request's language."""
    return OrjsonResponse({"detail": deps.t(CHECK_THE_FORM), "errors": deps.errors_text(errors)}, status_code=422)


def problem(request: Request, deps: IntakeContainer, status: int, msgid: str, **extra: Any) -> Response:
    """The answer with one message: {"detail": ...} for the API, the problem page for a browser."""
    text = deps.t(msgid)
    if _is_api(request):
        return OrjsonResponse({"detail": text}, status_code=status)
    return deps.pages.render(request, "problem.html", status_code=status, message=text, **extra)


async def _too_large(request: Request, deps: IntakeContainer, exc: BodyTooLarge) -> Response:
    return problem(request, deps, 413, BODY_TOO_LARGE)


async def _rate_limited(request: Request, deps: IntakeContainer, exc: RateLimited) -> Response:
    text = deps.t(TOO_MANY_REQUESTS).format(minutes=max(1, -(-exc.retry_after // 60)))
    headers = {"Retry-After": str(exc.retry_after)}
    if _is_api(request):
        return OrjsonResponse({"detail": text}, status_code=429, headers=headers)
    response = deps.pages.render(request, "problem.html", status_code=429, message=text)
    response.headers.update(headers)
    return response


async def _idempotency_conflict(request: Request, deps: IntakeContainer, exc: IdempotencyConflict) -> Response:
    return problem(request, deps, 409, IDEMPOTENCY_CONFLICT)


async def _event_not_open(request: Request, deps: IntakeContainer, exc: EventNotOpen) -> Response:
    if _is_api(request):
        return invalid(deps, {"scheduled_event_id": Message(EVENT_UNKNOWN)})
    return problem(request, deps, 404, EVENT_UNKNOWN)


async def _link_refused(request: Request, deps: IntakeContainer, exc: LinkRefused) -> Response:
    status, msgid = LINK_PROBLEMS[exc.verdict]
    return problem(request, deps, status, msgid, page_title=deps.t(msgid), show_contact=True)


async def _form_token_mismatch(request: Request, deps: IntakeContainer, exc: FormTokenMismatch) -> Response:
    return problem(request, deps, 403, CSRF_FAILED)


HANDLERS: dict[type[Exception], Callable[[Request, IntakeContainer, Any], Awaitable[Response]]] = {
    BodyTooLarge: _too_large,
    RateLimited: _rate_limited,
    IdempotencyConflict: _idempotency_conflict,
    EventNotOpen: _event_not_open,
    LinkRefused: _link_refused,
    FormTokenMismatch: _form_token_mismatch,
}


def install(app: FastAPI) -> None:
    for error, answer in HANDLERS.items():
        app.add_exception_handler(error, _with_container(answer))


def _with_container(
    answer: Callable[[Request, IntakeContainer, Any], Awaitable[Response]],
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        return await answer(request, _container(request), exc)

    return handle
