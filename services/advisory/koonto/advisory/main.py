"""The advisory service: its spec for the shared runtime (the parts are wired in `bootstrap.py`)."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer, bootstrap
from koonto.advisory.domain.clock import Clock
from koonto.advisory.jobs import run_scheduler
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.store import INDEXES, OUTBOX_COLLECTIONS
from koonto.advisory.subscriptions import SUBSCRIPTIONS
from koonto.advisory.web import ROUTERS, configure_app
from koonto.shared.auth import TokenVerifier
from koonto.shared.runtime import Infra, Runtime, ServiceSpec


async def ensure_admin(container: AdvisoryContainer) -> None:
    await container.staff.bootstrap_admin()


def token_verifier(container: AdvisoryContainer) -> TokenVerifier:
    return container.keyring.verifier()  # our own keys, no HTTP request to ourselves; follows a rotation


def build_spec(settings: AdvisorySettings, clock: Clock | None = None) -> ServiceSpec[AdvisoryContainer]:
    def build(infra: Infra) -> AdvisoryContainer:
        return bootstrap(infra, settings, clock)

    return ServiceSpec(
        name="advisory",
        title="Koonto advisory: staff workspace",
        bootstrap=build,
        subscriptions=SUBSCRIPTIONS,
        indexes=INDEXES,  # the runtime creates the missing ones at start-up
        outbox_collections=OUTBOX_COLLECTIONS,
        routers=ROUTERS,
        jobs=[run_scheduler],
        on_startup=[ensure_admin],
        configure_app=configure_app,
        token_verifier=token_verifier,
    )


def create_runtime(
    settings: AdvisorySettings | None = None, clock: Clock | None = None
) -> Runtime[AdvisoryContainer]:
    settings = settings or AdvisorySettings()
    return Runtime(build_spec(settings, clock), settings)

