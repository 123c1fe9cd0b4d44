"""Composition root of the reporting service: settings, store, broker, routers, lifespan."""

from __future__ import annotations

from koonto.reporting.settings import ReportingSettings
from koonto.reporting.subscriptions import SUBSCRIPTIONS
from koonto.shared.runtime import Runtime, ServiceSpec


def build_spec(settings: ReportingSettings) -> ServiceSpec:
    return ServiceSpec(
        name="reporting",
        title="Koonto reporting: funder reports and showcase",
        subscriptions=SUBSCRIPTIONS,
        indexes={},
        outbox_collections=[],
        routers=[],
    )


def create_runtime(settings: ReportingSettings | None = None) -> Runtime:
    settings = settings or ReportingSettings()
    return Runtime(build_spec(settings), settings)


def spec_and_settings() -> tuple[ServiceSpec, ReportingSettings]:
    settings = ReportingSettings()
    return build_spec(settings), settings
