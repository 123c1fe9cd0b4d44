"""The container on the in-memory store: the live handler writes into the active generation (also after a
switch), and the views read the report and the showcase from it."""

from __future__ import annotations

from datetime import date

from koonto.reporting.domain.query import ReportQuery
from koonto.reporting.store import ReadModels
from tests.reporting.history import actual, expected, history
from tests.reporting.unit.memory import consume, container
from tests.support.samples import envelope, idea_submitted

YEAR = ReportQuery(date(2026, 1, 1), date(2026, 12, 31), None)


async def test_the_live_handler_projects_every_consumed_event_and_the_report_view_reads_it() -> None:
    deps = await container()
    events = history()
    assert await consume(deps, events) == len(events)
    view = await deps.views.report(YEAR, stamped=True)
    assert actual(view.summary) == expected(YEAR.first, YEAR.last, None)
    assert view.generation == "g0" and view.generated_at is not None and view.summary["generated_at"]
    assert view.tables[0].rows  # the key figures come first
    assert (await deps.views.report(YEAR)).summary["generated_at"] is None


async def test_the_showcase_lists_funded_consenting_projects_and_the_headline() -> None:
    deps = await container()
    await consume(deps, history())
    view = await deps.views.showcase(None, None, "fi")
    titles = {p["title"] for p in view.projects}
    assert {"Kylätalon kohtaamispaikka", "Nuorten kesätapahtuma"} <= titles
    assert not titles & {"Nuorten iltapäivät", "Liikuntaa kaikille", "Lukupiiri kirjastossa"}
    assert view.headline["projects_funded"] == 3
    village = await deps.views.showcase(None, "village", "sv")
    assert {p["title"] for p in village.projects} == {"Kylätalon kohtaamispaikka"}
    assert dict(village.municipalities)["kuopio"] == "Kuopio"


async def test_after_a_switch_the_live_handler_writes_into_the_new_generation() -> None:
    deps = await container()
    await deps.generations.switch("g1")
    await consume(deps, [envelope(idea_submitted(submitted_at="2026-02-02T09:00:00+00:00"))])
    assert await ReadModels(deps.store, "g0").counters.count_documents({}) == 0
    assert (await deps.views.report(YEAR)).summary["ideas"]["total"] == 1
