"""The reporting service's composition root: everything it is made of, wired once from the runtime's `Infra`.

The runtime builds the infrastructure first (store, broker, publisher, relay) and calls `bootstrap(infra)` once;
the container it returns is what the handlers get as `deps`, the routers through `web.deps.Deps` and the
startup hook as its argument. The dead letters are `privacy.RedactingDeadLetters`, declared in the spec
(`main.build_spec`), so every consumer and the dead-letter API are built with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from koonto.reporting.domain.as_of import end_of_day
from koonto.reporting.history import StreamHistory
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import Checkpoints, Generations, ReadModels
from koonto.reporting.use_cases.as_of import AsOfReports
from koonto.reporting.views import ReportViews
from koonto.reporting.web.pages import make_pages
from koonto.shared.clock import utcnow
from koonto.shared.mongo import Store
from koonto.shared.pages import Pages
from koonto.shared.region import Region
from koonto.shared.runtime import Infra


@dataclass
class ReportingContainer:
    settings: ReportingSettings
    infra: Infra
    store: Store
    generations: Generations  # which read-model generation is active (a replay switches it)
    views: ReportViews  # the read paths of the pages and the API
    pages: Pages
    clock: Callable[[], datetime] = field(default=utcnow)

    @property
    def region(self) -> Region:
        """The current region: the request's (host name or path prefix), the consumed event's, else the home one."""
        return self.infra.region

    async def read_models(self) -> ReadModels:
        """The active generation's read models: read per event, as a replay switches it under the consumers."""
        return await self.generations.active()


def bootstrap(
    infra: Infra, settings: ReportingSettings, *, clock: Callable[[], datetime] = utcnow,
    day_end: Callable[[date], datetime] = end_of_day,
) -> ReportingContainer:
    """`day_end`: when a day ends for the as-of reports (the end of the Helsinki day; a test names its own
    instants, as the stream stamps its messages with the real time)."""
    generations = Generations(infra.store)
    history = StreamHistory(settings.nats_url, infra.regions.home.code)
    as_of = AsOfReports(Checkpoints(infra.store, generations.steps), history, day_end=day_end)
    return ReportingContainer(
        settings=settings, infra=infra, store=infra.store, generations=generations,
        views=ReportViews(generations, infra.regions, clock, as_of), pages=make_pages(), clock=clock,
    )


async def prepare_read_models(container: ReportingContainer) -> None:
    """At startup: the generation document exists, and the active generation's indexes."""
    await container.generations.ensure()
    await (await container.read_models()).ensure_indexes()
