"""use_cases.reports on the in-memory store: the scripted year gives the hand-computed figures for every period
and municipality, whether read from the month roll-ups or the daily counters alone."""

from __future__ import annotations

from datetime import date

from koonto.reporting.store import ReadModels
from koonto.reporting.use_cases.projection import apply_event
from koonto.reporting.use_cases.reports import build_summary, headline
from koonto.shared.region import load_region
from tests.reporting.history import PERIODS, actual, expected, history
from tests.reporting.unit.memory import read_models

REGION = load_region("pohjois-savo")


async def scripted_year() -> ReadModels:
    models = await read_models()
    for env in history():
        await apply_event(models, env)
    return models


async def test_every_period_and_municipality_gives_the_expected_numbers() -> None:
    models = await scripted_year()
    for first, last, municipality in PERIODS:
        summary = await build_summary(models, REGION, first, last, municipality)
        assert actual(summary) == expected(first, last, municipality), (first, last, municipality)


async def test_year_documents_month_roll_ups_and_daily_counters_give_the_same_report_and_headline() -> None:
    models = await scripted_year()
    assert models.yearly and await models.years.count_documents({}) and await models.funnel_years.count_documents({})
    daily_only = ReadModels(models.store, models.generation, rollups=False)
    by_months = ReadModels(models.store, models.generation, yearly=False)
    for first, last, municipality in [*PERIODS, (date(2026, 2, 14), date(2026, 5, 3), None),
                                      (date(2025, 6, 1), date(2027, 3, 15), None),
                                      (date(2026, 1, 1), date(2026, 10, 20), "kuopio"),
                                      (date(2025, 12, 31), date(2026, 12, 31), None)]:
        summary = await build_summary(models, REGION, first, last, municipality)
        assert summary == await build_summary(daily_only, REGION, first, last, municipality)
        assert summary == await build_summary(by_months, REGION, first, last, municipality)
    for municipality in (None, "kuopio"):
        assert await headline(models, municipality) == await headline(daily_only, municipality)


async def test_the_headline_counts_the_whole_history() -> None:
    models = await scripted_year()
    assert await headline(models, None) == {
        "associations_helped": 5, "consultations": 9, "events_held": 4, "projects_funded": 3,
    }
