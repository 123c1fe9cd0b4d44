"""Composition root of the advisory service: settings, store, broker, routers, lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from koonto.advisory.domain.clock import Clock
from koonto.advisory.jobs import scheduler
from koonto.advisory.service import Advisory
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.store import INDEXES, OUTBOX_COLLECTIONS
from koonto.advisory.subscriptions import subscriptions
from koonto.advisory.web import api_router, configure_pages, pages_router
from koonto.shared.runtime import Runtime, ServiceSpec


def build_spec(settings: AdvisorySettings, clock: Clock | None = None) -> ServiceSpec:
    advisory = Advisory(settings, clock)

    async def bootstrap(runtime: Runtime) -> None:
        await advisory.bootstrap_admin()

    def configure_app(app: FastAPI) -> None:
        advisory.bind(app.state.runtime)
        configure_pages(app, advisory)

    return ServiceSpec(
        name="advisory",
        title="Koonto advisory: staff workspace",
        subscriptions=subscriptions(advisory),
        indexes=INDEXES,  # the runtime creates the missing ones at start-up
        outbox_collections=OUTBOX_COLLECTIONS,
        routers=[api_router(), pages_router()],
        jobs=[scheduler(advisory)],
        on_startup=[bootstrap],
        configure_app=configure_app,
    )


def create_runtime(settings: AdvisorySettings | None = None, clock: Clock | None = None) -> Runtime:
    settings = settings or AdvisorySettings()
    return Runtime(build_spec(settings, clock), settings)


def advisory_of(runtime: Runtime) -> Advisory:
    return runtime.state["advisory"]  # type: ignore[no-any-return]


def spec_and_settings() -> tuple[ServiceSpec, AdvisorySettings]:
    settings = AdvisorySettings()
    return build_spec(settings), settings
