"""Composition root of the advisory service: settings, store, broker, routers, lifespan."""

from __future__ import annotations

from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.subscriptions import SUBSCRIPTIONS
from koonto.shared.runtime import Runtime, ServiceSpec


def build_spec(settings: AdvisorySettings) -> ServiceSpec:
    return ServiceSpec(
        name="advisory",
        title="Koonto advisory: staff workspace",
        subscriptions=SUBSCRIPTIONS,
        indexes={},
        outbox_collections=[],
        routers=[],
    )


def create_runtime(settings: AdvisorySettings | None = None) -> Runtime:
    settings = settings or AdvisorySettings()
    return Runtime(build_spec(settings), settings)


def spec_and_settings() -> tuple[ServiceSpec, AdvisorySettings]:
    settings = AdvisorySettings()
    return build_spec(settings), settings
