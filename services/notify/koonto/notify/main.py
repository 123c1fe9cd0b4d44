"""Composition root of the notify service: settings, store, broker, routers, lifespan."""

from __future__ import annotations

from koonto.notify.settings import NotifySettings
from koonto.notify.subscriptions import SUBSCRIPTIONS
from koonto.shared.runtime import Runtime, ServiceSpec


def build_spec(settings: NotifySettings) -> ServiceSpec:
    return ServiceSpec(
        name="notify",
        title="Koonto notify: email and SMS",
        subscriptions=SUBSCRIPTIONS,
        indexes={},
        outbox_collections=[],
        routers=[],
    )


def create_runtime(settings: NotifySettings | None = None) -> Runtime:
    settings = settings or NotifySettings()
    return Runtime(build_spec(settings), settings)


def spec_and_settings() -> tuple[ServiceSpec, NotifySettings]:
    settings = NotifySettings()
    return build_spec(settings), settings
