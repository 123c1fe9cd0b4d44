"""Composition root of the intake service: settings, store, broker, routers, lifespan."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from koonto.intake.links import Links
from koonto.intake.service import IntakeService
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import OUTBOX_COLLECTIONS, IntakeStore, ensure_indexes
from koonto.intake.subscriptions import subscriptions
from koonto.intake.web import api, pages
from koonto.intake.web.common import (
    BODY_TOO_LARGE,
    TOO_MANY_REQUESTS,
    BadJson,
    BodyTooLarge,
    Intake,
    RateLimited,
    get_intake,
)
from koonto.shared.i18n import Catalogues
from koonto.shared.pages import Pages
from koonto.shared.runtime import Runtime, ServiceSpec

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "web" / "templates"
STATIC = PACKAGE / "web" / "static"
LOCALE = PACKAGE / "locale"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


PRIVATE_PREFIXES = ("/status/", "/subscriptions/", "/ideas/receipt/")
SECURITY_HEADERS = ((b"referrer-policy", b"same-origin"), (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"))


class KeepLinksPrivate:
    """Status and subscription tokens live in URLs: never leak them in a Referer, a frame or a search index.

    A plain ASGI middleware: `@app.middleware("http")` (BaseHTTPMiddleware) costs a task group and memory
    streams per request, which showed in the profile of POST /api/v1/ideas."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if private:
                    headers = [(n, v) for n, v in headers if n.lower() != b"x-robots-tag"]
                    headers.append((b"x-robots-tag", b"noindex, nofollow"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def configure(app: FastAPI) -> None:
    """Builds intake's singletons on the runtime (it owns the store client) and its error answers."""
    runtime: Runtime = app.state.runtime
    settings: IntakeSettings = runtime.settings  # type: ignore[assignment]
    store = IntakeStore(runtime.db)
    links = Links.from_settings(settings)
    catalogues = Catalogues(LOCALE)
    runtime.state["intake"] = Intake(
        settings=settings, store=store, links=links, service=IntakeService(runtime, store, links),
        pages=Pages(TEMPLATES, catalogues, service="intake"), catalogues=catalogues,
    )
    app.mount("/static/intake", StaticFiles(directory=STATIC), name="intake-static")

    app.add_middleware(KeepLinksPrivate)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        intake = get_intake(request)
        if _is_api(request):
            return JSONResponse({"detail": intake.t(BODY_TOO_LARGE)}, status_code=413)
        return intake.pages.render(request, "problem.html", status_code=413, message=intake.t(BODY_TOO_LARGE))

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        intake = get_intake(request)
        text = intake.t(TOO_MANY_REQUESTS).format(minutes=max(1, -(-exc.retry_after // 60)))
        headers = {"Retry-After": str(exc.retry_after)}
        if _is_api(request):
            return JSONResponse({"detail": text}, status_code=429, headers=headers)
        response = intake.pages.render(request, "problem.html", status_code=429, message=text)
        response.headers.update(headers)
        return response

    @app.exception_handler(BadJson)
    async def bad_json(request: Request, exc: BadJson) -> Response:
        return JSONResponse({"detail": get_intake(request).t(exc.msgid)}, status_code=exc.status)


async def forget_idle_clients(runtime: Runtime) -> None:
    """Housekeeping only (correctness never depends on it): forget rate-limit buckets that are full again."""
    intake: Intake = runtime.state["intake"]
    while True:
        await asyncio.sleep(max(60.0, float(intake.settings.rate_limit_window_seconds)))
        intake.service.forget_idle_clients()


async def create_missing_indexes(runtime: Runtime) -> None:
    await ensure_indexes(runtime.db)


def build_spec(settings: IntakeSettings) -> ServiceSpec:
    holder: dict[str, Runtime] = {}

    def store() -> IntakeStore:
        intake: Intake = holder["runtime"].state["intake"]
        return intake.store

    def configure_app(app: FastAPI) -> None:
        holder["runtime"] = app.state.runtime
        configure(app)

    return ServiceSpec(
        name="intake",
        title="Koonto intake: public forms and API",
        subscriptions=subscriptions(store),
        indexes={},  # created by the start-up hook below, only when missing
        on_startup=[create_missing_indexes],
        outbox_collections=OUTBOX_COLLECTIONS,
        routers=[api.router, pages.router],
        jobs=[forget_idle_clients],
        configure_app=configure_app,
    )


def create_runtime(settings: IntakeSettings | None = None) -> Runtime:
    settings = settings or IntakeSettings()
    return Runtime(build_spec(settings), settings)


def spec_and_settings() -> tuple[ServiceSpec, IntakeSettings]:
    settings = IntakeSettings()
    return build_spec(settings), settings
