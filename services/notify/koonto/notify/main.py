"""Composition root of the notify service: settings, store, broker, routers, jobs, lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from koonto.notify.app import NotifyApp
from koonto.notify.clock import Clock
from koonto.notify.settings import NotifySettings
from koonto.notify.store import INDEXES
from koonto.notify.subscriptions import subscriptions
from koonto.notify.web import api, pages
from koonto.shared.runtime import Runtime, ServiceSpec


def build(settings: NotifySettings, clock: Clock | None = None) -> tuple[ServiceSpec, NotifyApp]:
    app = NotifyApp(settings, clock)

    def configure(fastapi_app: FastAPI) -> None:
        app.bind(fastapi_app.state.runtime)
        pages.mount_static(fastapi_app)

    spec = ServiceSpec(
        name="notify",
        title="Koonto notify: email and SMS",
        subscriptions=subscriptions(app),
        indexes=INDEXES,
        outbox_collections=[],  # notify's outcome events have their own batched relay (app.run_event_relay)
        routers=[api.router(), pages.router()],
        jobs=app.jobs,
        configure_app=configure,
    )
    return spec, app


def build_spec(settings: NotifySettings) -> ServiceSpec:
    return build(settings)[0]


def create_runtime(settings: NotifySettings | None = None, clock: Clock | None = None) -> Runtime:
    settings = settings or NotifySettings()
    spec, _ = build(settings, clock)
    return Runtime(spec, settings)


def spec_and_settings() -> tuple[ServiceSpec, NotifySettings]:
    settings = NotifySettings()
    return build_spec(settings), settings
