"""As-of reports on the in-memory store: what a day means, and the checkpoints a day's read models come from (a
checkpoint per day asked for, built on the previous one plus the events after it, never changed by later events)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from koonto.reporting.domain.as_of import AsOfInvalid, end_of_day, parse_as_of
from koonto.reporting.store import BulkReadModels, Checkpoints, Generations
from koonto.reporting.use_cases.as_of import AsOfReports
from koonto.reporting.use_cases.projection import apply_event
from koonto.reporting.use_cases.reports import build_summary
from koonto.shared.contracts import Envelope
from koonto.shared.region import load_region
from tests.reporting.synthetic import stream
from tests.reporting.unit.test_bulk import one_by_one
from tests.support.memory import MemoryCollection, memory_store

pytestmark = pytest.mark.unit
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


class FakeHistory:
    """A stream in memory: events with the moment each was recorded; sequences from 1."""

    def __init__(self) -> None:
        self.recorded: list[tuple[datetime, Envelope]] = []
        self.folds: list[tuple[str, int, int]] = []  # (generation, start, end)

    async def position_at(self, moment: datetime) -> int:
        return sum(1 for at, _ in self.recorded if at < moment)

    async def fold(self, models: BulkReadModels, start: int, end: int) -> None:
        self.folds.append((models.generation, start, end))
        batch = [env for _, env in self.recorded[start - 1:end]]
        await models.known_facts(e.id for e in batch)
        for env in batch:
            await apply_event(models, env)
        await models.flush(final=True)


def test_a_day_ends_at_midnight_in_helsinki_whatever_the_clocks_do() -> None:
    assert end_of_day(date(2026, 9, 30)) == datetime(2026, 9, 30, 21, 0, tzinfo=UTC)  # summer time
    assert end_of_day(date(2026, 10, 25)) == datetime(2026, 10, 25, 22, 0, tzinfo=UTC)  # the clocks went back
    assert end_of_day(date(2026, 12, 31)) == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)


def test_only_a_day_that_has_ended_is_an_as_of_day() -> None:
    today = date(2026, 12, 3)
    assert parse_as_of(None, today) is None and parse_as_of("  ", today) is None
    assert parse_as_of("2026-12-02", today) == date(2026, 12, 2)
    for raw, reason in (("2026-12-03", "future"), ("2027-01-01", "future"), ("30.9.2026", "invalid"),
                        ("20260930", "invalid"), ("2026-02-30", "invalid"), ("eilen", "invalid")):
        with pytest.raises(AsOfInvalid) as caught:
            parse_as_of(raw, today)
        assert caught.value.reason == reason and list(caught.value.errors) == ["as_of"], raw


async def _fresh() -> tuple[Any, Generations, Any]:
    """An empty in-memory store, its generations and the active (live) one's read models."""
    store = memory_store()
    generations = Generations(store)
    await generations.ensure()
    return store, generations, await generations.active()


async def test_checkpoints_reproduce_a_day_and_build_on_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemoryCollection, "bulk_write", one_by_one)
    region = load_region("pohjois-savo")
    events = stream(300, seed=11, run="asof")
    store, generations, live = await _fresh()
    await live.ensure_indexes()
    history = FakeHistory()
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)

    async def record(batch: list[Envelope], at: datetime) -> None:
        for i, env in enumerate(batch):
            history.recorded.append((at + timedelta(seconds=i), env))
            await apply_event(live, env)  # the live consumers meanwhile

    first, late = events[:200], [*events[200:], *events[:200:25]]  # late: with some earlier events once more
    await record(first, start)  # recorded on 1.9.
    as_of = AsOfReports(Checkpoints(store, generations.steps), history)
    september, sequence = await as_of.models(date(2026, 9, 30))
    assert sequence.sequence == len(first) and history.folds == [(september.generation, 1, len(first))]
    sent = await build_summary(live, region, *YEAR, None)  # the report of 30.9.
    assert await build_summary(september, region, *YEAR, None) == sent

    await record(late, start + timedelta(days=40))  # recorded on 11.10., dated whenever the events say
    now = await build_summary(live, region, *YEAR, None)
    assert now != sent
    again, _ = await as_of.models(date(2026, 9, 30))
    assert again.generation == september.generation and len(history.folds) == 1  # read, not built again
    assert await build_summary(again, region, *YEAR, None) == sent

    # a later day: the September checkpoint copied, and only the events after it folded in
    october, position = await as_of.models(date(2026, 10, 31))
    assert history.folds[-1] == (october.generation, len(first) + 1, len(history.recorded))
    assert position.sequence == len(history.recorded)
    assert await build_summary(october, region, *YEAR, None) == now
    assert await build_summary(september, region, *YEAR, None) == sent  # the copy left September alone
    # a day with nothing recorded since the last checkpoint shares its generation
    november, _ = await as_of.models(date(2026, 11, 30))
    assert november.generation == october.generation and len(history.folds) == 2
    # a day before every event: an empty report, not an error
    august, nothing = await as_of.models(date(2026, 8, 31))
    summary: dict[str, Any] = await build_summary(august, region, *YEAR, None)
    assert nothing.sequence == 0 and summary["ideas"]["total"] == 0
    # a rebuild of the active generation keeps the checkpoints
    await generations.drop_inactive()
    assert await build_summary(as_of.checkpoints.models(september.generation), region, *YEAR, None) == sent


async def test_a_checkpoint_built_before_the_year_documents_and_one_built_on_it_are_read_by_months(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(MemoryCollection, "bulk_write", one_by_one)
    region = load_region("pohjois-savo")
    events = stream(200, seed=13, run="old")
    store, generations, live = await _fresh()
    history = FakeHistory()
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    for i, env in enumerate(events[:120]):
        history.recorded.append((start + timedelta(seconds=i), env))
        await apply_event(live, env)
    checkpoints = Checkpoints(store, generations.steps)
    as_of = AsOfReports(checkpoints, history)
    september, _ = await as_of.models(date(2026, 9, 30))
    assert september.yearly and await september.years.count_documents({})
    sent = await build_summary(live, region, *YEAR, None)
    # as a checkpoint of the code before the year documents: none, and no flag in the registry
    await september.years.delete_many({})
    await september.funnel_years.delete_many({})
    await checkpoints.registry.update_many({}, {"$unset": {"yearly": ""}})
    old, _ = await as_of.models(date(2026, 9, 30))
    assert not old.yearly and await build_summary(old, region, *YEAR, None) == sent
    for i, env in enumerate(events[120:]):
        history.recorded.append((start + timedelta(days=40, seconds=i), env))
        await apply_event(live, env)
    october, _ = await as_of.models(date(2026, 10, 31))  # the old one copied: its year documents are partial
    assert october.generation != old.generation and not october.yearly
    assert await build_summary(october, region, *YEAR, None) == await build_summary(live, region, *YEAR, None)
