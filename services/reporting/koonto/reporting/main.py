"""Composition root of the reporting service: settings, store, broker, routers, lifespan."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from koonto.reporting.privacy import RedactingDeadLetters
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import Generations, ReadModels
from koonto.reporting.subscriptions import build_subscriptions
from koonto.reporting.web.api import api_router
from koonto.reporting.web.pages import STATIC, make_pages, pages_router
from koonto.shared.runtime import Runtime, ServiceSpec


def build_spec(settings: ReportingSettings) -> ServiceSpec:
    holder: dict[str, Runtime] = {}

    async def active_models() -> ReadModels:
        # read per event: a replay switches the generation under the running consumers
        return await Generations(holder["runtime"].db).active()

    async def prepare_read_models(runtime: Runtime) -> None:
        holder["runtime"] = runtime
        # dead letters without personal data (koonto.reporting.privacy), for the API and every consumer
        runtime.dead_letters = RedactingDeadLetters(runtime.db)
        for consumer in runtime.consumers:
            consumer.dead_letters = runtime.dead_letters
        generations = Generations(runtime.db)
        await generations.ensure()
        await (await generations.active()).ensure_indexes()

    def configure_app(app: FastAPI) -> None:
        app.mount("/static/reporting", StaticFiles(directory=STATIC), name="reporting-static")

    return ServiceSpec(
        name="reporting",
        title="Koonto reporting: funder reports and showcase",
        subscriptions=build_subscriptions(active_models),
        indexes={},
        outbox_collections=[],
        routers=[api_router(), pages_router(make_pages())],
        on_startup=[prepare_read_models],
        configure_app=configure_app,
    )


def create_runtime(settings: ReportingSettings | None = None) -> Runtime:
    settings = settings or ReportingSettings()
    return Runtime(build_spec(settings), settings)


def spec_and_settings() -> tuple[ServiceSpec, ReportingSettings]:
    settings = ReportingSettings()
    return build_spec(settings), settings
