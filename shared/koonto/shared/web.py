"""Web plumbing shared by every service: health, readiness, metrics, error pages, and the one
answer to a store outage or a request over its time (503 with Retry-After, docs/operations.md "Store outages")."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from koonto.shared.error_pages import ErrorPages, wants_page
from koonto.shared.i18n import Catalogues, language, negotiate
from koonto.shared.logs import get_logger
from koonto.shared.pages import SHARED_LOCALE, SHARED_TEMPLATES, Pages

if TYPE_CHECKING:
    from koonto.shared.runtime import Runtime
    from koonto.shared.settings import ServiceSettings

log = get_logger(__name__)


class OrjsonResponse(JSONResponse):
    """A JSON answer written by orjson (several times faster than `json.dumps` for these small bodies): the app's
    default response class, so every answer FastAPI builds from a route's return value uses it, and what a hot
    route builds itself. Like Starlette's
    JSONResponse it writes UTF-8, compactly; non-string keys become strings."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated["Runtime", Depends(get_runtime)]


def get_container(request: Request) -> Any:
    """The service's container (built by its `bootstrap`); each service wraps this in a typed `Annotated` alias,
    e.g. `Deps = Annotated[IntakeContainer, Depends(get_container)]`."""
    return request.app.state.container


def client_address(request: Request, settings: ServiceSettings) -> str:
    """The address of the client a request came from, for rate limits and throttles.

    Without trusted proxies it is the socket peer. Behind `settings.proxy_hops` trusted proxies, each of which
    appends the address it saw to X-Forwarded-For, it is the hop the outermost of them added: the
    `proxy_hops`-th from the right. Hops further left are whatever the client wrote and are ignored, so a
    client cannot pose as someone else by sending its own X-Forwarded-For.
    """
    peer = request.client.host if request.client else "unknown"
    hops = settings.proxy_hops
    if hops <= 0:
        return peer
    forwarded = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if not forwarded:
        return peer
    return forwarded[max(len(forwarded) - hops, 0)][:100]


def ops_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Ready: NATS and the store are reachable")
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        checks = await runtime.readiness()
        ok = all(checks.values())
        body = {"status": "ready" if ok else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def N_(message: str) -> str:  # the gettext marker the catalogue extraction looks for
    return message


UNAVAILABLE_TITLE = N_("Palvelu on tilapäisesti poissa käytöstä")
UNAVAILABLE_TEXT = N_("Palvelu ei juuri nyt pysty käsittelemään pyyntöäsi. Yritä uudelleen noin {seconds} sekunnin "
                      "kuluttua.")
UNAVAILABLE_FORM = N_("Jos lähetit lomakkeen, palaa edelliselle sivulle ja lähetä se uudelleen.")

# PyMongo's "the store is not there": ServerSelectionTimeoutError, AutoReconnect and NetworkTimeout all derive from
# ConnectionFailure. A write the store refused (DuplicateKeyError, OperationFailure) is not an outage.
STORE_UNAVAILABLE: tuple[type[Exception], ...] = (ConnectionFailure,)


class Unavailable:
    """The 503 answer, with Retry-After and a message in the request's language: JSON for the API (and the other
    machine-read paths), a page for a browser. Renders with the shared templates only and never touches the store."""

    def __init__(self, service: str, retry_after: int) -> None:
        self.retry_after = retry_after
        self.pages = Pages(SHARED_TEMPLATES, Catalogues(SHARED_LOCALE), service=service)

    def __call__(self, request: Request) -> Response:
        headers = {"Retry-After": str(self.retry_after), "Cache-Control": "no-store"}
        catalogues = self.pages.catalogues
        with language(negotiate(request)):
            text = catalogues.gettext(UNAVAILABLE_TEXT).format(seconds=self.retry_after)
            if request.url.path.startswith(("/api/", "/.well-known/", "/readyz", "/healthz", "/metrics")):
                return JSONResponse({"detail": text}, status_code=503, headers=headers)
            form = catalogues.gettext(UNAVAILABLE_FORM) if request.method == "POST" else ""
            response = self.pages.render(request, "unavailable.html", status_code=503, page_title=UNAVAILABLE_TITLE,
                                         message=text, form_hint=form)
        response.headers.update(headers)
        return response


class RequestDeadline:
    """Bounds the time until a request's answer starts: past `seconds` the handler is cancelled and the client gets
    the 503 of `answer`. A response already under way (a long export streaming) is not cut. Plain ASGI, innermost
    of the middlewares, so the language and the request metrics see the 503."""

    def __init__(self, app: ASGIApp, seconds: float, answer: Callable[[Request], Response]) -> None:
        self.app = app
        self.seconds = seconds
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.timeout(self.seconds)

        async def send_marking_start(message: Message) -> None:
            if message["type"] == "http.response.start":
                deadline.reschedule(None)  # the answer is under way: no longer bounded
            await send(message)

        try:
            async with deadline:
                await self.app(scope, receive, send_marking_start)
            return
        except TimeoutError:
            if not deadline.expired():  # a TimeoutError of the handler's own: not ours to answer
                raise
        request = Request(scope, receive)
        log.warning("request over its time", path=request.url.path, seconds=self.seconds)
        await self.answer(request)(scope, receive, send)


def install_error_handlers(app: FastAPI, unavailable: Unavailable, error_pages: ErrorPages) -> None:
    """Errors a user cannot cause are logged with their context and never shown as a stack trace; a store that is
    down or does not answer is a 503 with Retry-After (the request may be sent again), never a 500. A browser gets
    every HTTP error as a page in its language (`koonto.shared.error_pages`), the API keeps JSON."""

    app.add_exception_handler(StarletteHTTPException, error_pages.http_error)

    async def store_unavailable(request: Request, exc: Exception) -> Response:
        log.warning("store unavailable", path=request.url.path, error=type(exc).__name__)
        return unavailable(request)

    for error in STORE_UNAVAILABLE:
        app.add_exception_handler(error, store_unavailable)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        if isinstance(exc, STORE_UNAVAILABLE):  # raised outside the routes (a middleware): the same answer
            return await store_unavailable(request, exc)
        log.exception("unhandled error", path=request.url.path)
        if wants_page(request):
            return error_pages.page(request, 500)
        return JSONResponse(
            {"detail": "Palvelussa tapahtui virhe. Yritä hetken kuluttua uudelleen. / An internal error occurred."},
            status_code=500,
        )


def letter_region(letter: Mapping[str, Any]) -> str | None:
    """The region in a dead letter's envelope (None when the body cannot be read)."""
    try:
        region = json.loads(letter.get("body") or "{}").get("region")
    except (ValueError, AttributeError):
        return None
    return region if isinstance(region, str) else None


def letter_visible(letter: Mapping[str, Any], principal: Any, home: str) -> bool:
    """Whether a coordinator sees the letter: one of their regions' events (an unreadable one is the home
    region's); an admin sees every letter."""
    allowed = principal.regions_with("coordinator")
    return allowed is None or (letter_region(letter) or home) in allowed


def dead_letter_router() -> APIRouter:
    """The dead-letter view every consuming service offers to staff: list and re-drive."""
    from koonto.shared.auth import StaffPrincipal, require_staff
    from koonto.shared.bus import redrive

    router = APIRouter(prefix="/api/v1/dead-letters", tags=["operations"])
    staff = Depends(require_staff("coordinator"))

    @router.get("", summary="Messages that gave up in this service")
    async def list_dead_letters(
        request: Request, status: str = "dead", principal: StaffPrincipal = staff
    ) -> list[dict[str, Any]]:
        runtime: Runtime = request.app.state.runtime
        letters = await runtime.dead_letters.list(None if status == "all" else status)
        home = runtime.regions.home.code
        letters = [d for d in letters if letter_visible(d, principal, home)]
        return [
            {
                "id": d["_id"], "consumer": d["consumer"], "subject": d["subject"], "event_id": d.get("event_id"),
                "error": d.get("error"), "deliveries": d.get("deliveries"), "status": d.get("status"),
                "first_failed_at": d.get("first_failed_at"), "last_failed_at": d.get("last_failed_at"),
            }
            for d in letters
        ]

    @router.post("/{letter_id:path}/redrive", summary="Run a dead letter through its consumer again")
    async def redrive_dead_letter(
        letter_id: str, request: Request, principal: StaffPrincipal = staff
    ) -> dict[str, str]:
        from fastapi import HTTPException

        runtime: Runtime = request.app.state.runtime
        letter = await runtime.dead_letters.get(letter_id)
        if letter is None or not letter_visible(letter, principal, runtime.regions.home.code):
            raise HTTPException(404, "Ei löytynyt. / Not found.")  # another region's letter: as if none
        try:
            outcome = await redrive(runtime.consumers, runtime.dead_letters, letter_id)
        except KeyError:
            raise HTTPException(404, "Ei löytynyt. / Not found.") from None
        return {"id": letter_id, "status": outcome}

    return router
