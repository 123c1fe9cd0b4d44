"""The intake service's spec for the shared runtime: its table of subscriptions, indexes, routers and jobs.

`bootstrap.py` builds the container (everything the handlers and routers use); this module only says what the
runtime runs. `python -m koonto.intake` serves `create_runtime()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from koonto.intake.bootstrap import LOCALE, STATIC, TEMPLATES, IntakeContainer, bootstrap
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import INDEXES, OUTBOX_COLLECTIONS
from koonto.intake.subscriptions import SUBSCRIPTIONS
from koonto.intake.web import api, errors, pages
from koonto.intake.web.middleware import KeepLinksPrivate
from koonto.shared.clock import utcnow
from koonto.shared.runtime import Infra, Runtime, ServiceSpec

__all__ = ["LOCALE", "STATIC", "TEMPLATES", "build_spec", "create_runtime"]


def configure_app(app: FastAPI, container: IntakeContainer) -> None:
    app.mount("/static/intake", StaticFiles(directory=STATIC), name="intake-static")
    app.add_middleware(KeepLinksPrivate)
    # the idea form carries its attachments: its posts may be as large as one idea's files, and the fields
    settings = container.settings
    app.state.larger_bodies = {"/ideas/": settings.attachments_max_bytes_per_idea + settings.max_body_bytes + 65536}
    errors.install(app)


async def forget_idle_clients(container: IntakeContainer) -> None:
    """Housekeeping only (correctness never depends on it): forget rate-limit buckets that are full again."""
    while True:
        await asyncio.sleep(max(60.0, float(container.settings.rate_limit_window_seconds)))
        container.abuse.forget_idle_clients()


async def sweep_drafts(container: IntakeContainer) -> None:
    """Deletes drafts past `KOONTO_DRAFT_MAX_AGE_DAYS` with their files (on every replica: a delete is idempotent)."""
    while True:
        await container.uploads.sweep()
        await asyncio.sleep(container.settings.draft_sweep_minutes * 60)


async def hand_back_references(container: IntakeContainer) -> None:
    """A stopping replica returns the reference numbers it reserved and did not use (no gap is left)."""
    await container.ideas.references.hand_back_all()


def build_spec(settings: IntakeSettings, *, clock: Callable[[], datetime] = utcnow) -> ServiceSpec[IntakeContainer]:
    def build(infra: Infra) -> IntakeContainer:
        return bootstrap(infra, clock=clock)

    return ServiceSpec(
        name="intake",
        title="Koonto intake: public forms and API",
        bootstrap=build,
        subscriptions=SUBSCRIPTIONS,
        indexes=INDEXES,  # the runtime creates only the missing ones
        outbox_collections=OUTBOX_COLLECTIONS,
        routers=[*api.ROUTERS, *pages.ROUTERS],
        jobs=[forget_idle_clients, sweep_drafts],
        on_stop=[hand_back_references],
        owns_key_store=True,  # the per-person keys of the event stream (koonto.shared.sealing)
        configure_app=configure_app,
    )


def create_runtime(
    settings: IntakeSettings | None = None, *, clock: Callable[[], datetime] = utcnow
) -> Runtime[IntakeContainer]:
    settings = settings or IntakeSettings()
    return Runtime(build_spec(settings, clock=clock), settings)

