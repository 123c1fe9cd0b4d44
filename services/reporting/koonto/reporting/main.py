"""The reporting service's spec for the shared runtime: its container, subscriptions, routers, startup, app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from koonto.reporting.bootstrap import ReportingContainer, bootstrap, prepare_read_models
from koonto.reporting.domain.as_of import end_of_day
from koonto.reporting.jobs import build_checkpoints, compact_markers
from koonto.reporting.privacy import RedactingDeadLetters
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.subscriptions import SUBSCRIPTIONS
from koonto.reporting.web import errors
from koonto.reporting.web.api import opendata as opendata_api
from koonto.reporting.web.api import reports as reports_api
from koonto.reporting.web.pages import STATIC
from koonto.reporting.web.pages import opendata as opendata_pages
from koonto.reporting.web.pages import reports as reports_pages
from koonto.reporting.web.pages import showcase as showcase_pages
from koonto.shared.runtime import Infra, Runtime, ServiceSpec


def configure_app(app: FastAPI, container: ReportingContainer) -> None:
    app.mount("/static/reporting", StaticFiles(directory=STATIC), name="reporting-static")
    errors.install(app)


def build_spec(
    settings: ReportingSettings, *, day_end: Callable[[date], datetime] = end_of_day
) -> ServiceSpec[ReportingContainer]:
    def wire(infra: Infra) -> ReportingContainer:
        return bootstrap(infra, settings, day_end=day_end)

    return ServiceSpec(
        name="reporting",
        title="Koonto reporting: funder reports and showcase",
        bootstrap=wire,
        subscriptions=SUBSCRIPTIONS,
        routers=[reports_api.router, opendata_api.router, reports_pages.router, showcase_pages.router,
                 opendata_pages.router],
        on_startup=[prepare_read_models],
        jobs=[build_checkpoints, compact_markers],
        configure_app=configure_app,
        dead_letters=RedactingDeadLetters,  # no personal data, not even in a dead letter (privacy.py)
        opens_sealed=False,  # reads no personal field: sealed values stay sealed (the contracts accept them)
    )


def create_runtime(
    settings: ReportingSettings | None = None, *, day_end: Callable[[date], datetime] = end_of_day
) -> Runtime[ReportingContainer]:
    settings = settings or ReportingSettings()
    return Runtime(build_spec(settings, day_end=day_end), settings)

