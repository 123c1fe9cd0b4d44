"""Composition root of the intake service: settings, store, broker, routers, lifespan."""

from __future__ import annotations

from koonto.intake.settings import IntakeSettings
from koonto.intake.subscriptions import SUBSCRIPTIONS
from koonto.shared.runtime import Runtime, ServiceSpec


def build_spec(settings: IntakeSettings) -> ServiceSpec:
    return ServiceSpec(
        name="intake",
        title="Koonto intake: public forms and API",
        subscriptions=SUBSCRIPTIONS,
        indexes={},
        outbox_collections=[],
        routers=[],
    )


def create_runtime(settings: IntakeSettings | None = None) -> Runtime:
    settings = settings or IntakeSettings()
    return Runtime(build_spec(settings), settings)


def spec_and_settings() -> tuple[ServiceSpec, IntakeSettings]:
    settings = IntakeSettings()
    return build_spec(settings), settings
