"""Reporting's marker compaction job on the in-memory store: nothing within the grace period, every marker after
it with the report unchanged, and one replica at a time (the lease)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from koonto.reporting.domain.query import ReportQuery
from koonto.reporting.jobs import compaction_tick
from koonto.reporting.store import ReadModels
from koonto.shared.mongo import Leases
from tests.reporting.history import history
from tests.reporting.unit.memory import consume, container

pytestmark = pytest.mark.unit
YEAR = ReportQuery(date(2026, 1, 1), date(2026, 12, 31), None)


async def markers(models: ReadModels) -> int:
    found = 0
    for collection in (models.counters, models.monthly, models.years, models.funnel, models.funnel_monthly,
                       models.funnel_years, models.advised_daily, models.advised_monthly):
        found += sum([len([f for f in d if f.startswith("e_")]) async for d in collection.find({})])
    return found


async def test_the_compaction_job_removes_the_markers_after_the_grace_period_and_the_report_stays() -> None:
    deps = await container()
    events = history()
    await consume(deps, events)
    models = await deps.read_models()
    before: dict[str, Any] = (await deps.views.report(YEAR)).summary
    assert await markers(models) > 0

    within = await compaction_tick(deps, deps.infra.leases)  # the default grace: an hour
    assert within is not None and within.facts == 0 and await markers(models) > 0

    deps.settings = deps.settings.model_copy(update={"marker_grace_seconds": 0})
    other = Leases(deps.infra.db["leases"], "another-replica")
    assert await compaction_tick(deps, other) is None  # the lease is this replica's: the other does nothing
    done = await compaction_tick(deps, deps.infra.leases)
    assert done is not None and done.facts == await models.facts.count_documents({}) and done.finished == 0
    assert await markers(models) == 0
    assert (await deps.views.report(YEAR)).summary == before
    assert await consume(deps, events)  # every event once more: refused by its fact, markers or not
    assert (await deps.views.report(YEAR)).summary == before and await markers(models) == 0
