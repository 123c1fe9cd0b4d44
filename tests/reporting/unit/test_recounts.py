"""The funnel, durations and associations advised as counters (`store.recounts`): every figure of a report read
from the counters equals the figure computed the old way, from every case document and organisation counter,
whatever order the events arrive in; a late event moves a count exactly once, also across a crash."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from koonto.reporting.domain import recount
from koonto.reporting.store import ReadModels
from koonto.reporting.use_cases.projection import apply_event
from koonto.reporting.use_cases.reports import build_summary, headline
from koonto.shared.contracts.advisory import SessionLogged, StageChanged
from koonto.shared.region import load_region
from tests.reporting.history import PERIODS, history
from tests.reporting.recounts import COUNTERS, comparable
from tests.reporting.synthetic import START, stream
from tests.reporting.unit.memory import read_models
from tests.support.samples import envelope, idea_submitted

REGION = load_region("pohjois-savo")
Periods = list[tuple[date, date, str | None]]
SYNTHETIC_PERIODS: Periods = [
    (date(2026, 1, 1), date(2026, 12, 31), None),      # the default period: the year
    (date(2026, 1, 1), date(2026, 12, 31), "kuopio"),
    (date(2026, 1, 1), date(2026, 6, 17), None),       # the year so far, mid-month
    (date(2026, 1, 1), date(2026, 2, 28), "iisalmi"),
    (date(2026, 2, 14), date(2026, 11, 3), None),      # edge days at both ends
    (date(2026, 3, 1), date(2026, 3, 31), "kuopio"),   # one month
    (date(2026, 5, 20), date(2026, 5, 20), None),      # one day
    (date(2025, 12, 1), date(2027, 1, 31), None),      # across years
    (date(2026, 7, 1), date(2027, 3, 31), "varkaus"),
]


async def fed(events: list[Any]) -> ReadModels:
    models = await read_models()
    for env in events:
        await apply_event(models, env)
    return models


async def assert_counters_give_the_old_figures(models: ReadModels, periods: Periods) -> None:
    old_way = ReadModels(models.store, models.generation, use_recounts=False)
    assert models.recounts and not old_way.recounts
    for first, last, municipality in periods:
        new = await build_summary(models, REGION, first, last, municipality)
        old = await build_summary(old_way, REGION, first, last, municipality)
        assert new == old, (first, last, municipality)
    for municipality in (None, "kuopio", "tervo"):
        assert await headline(models, municipality) == await headline(old_way, municipality)


async def test_the_scripted_year_gives_the_same_figures_from_counters_as_from_the_cases() -> None:
    models = await fed(history())
    await assert_counters_give_the_old_figures(models, PERIODS)
    year = await build_summary(models, REGION, date(2026, 1, 1), date(2026, 12, 31), None)
    assert year["funnel"]["cohort"] > 0 and year["durations"]["idea_to_first_contact"]["cases"] > 0
    assert year["associations_advised"] > 0


@pytest.mark.parametrize("order", ["published", "shuffled"])
async def test_a_synthetic_history_in_any_order_gives_the_same_figures_from_counters(order: str) -> None:
    events = stream(300, seed=23, run="rc")
    if order == "shuffled":  # each event type has its own consumer: late events with earlier dates are common
        random.Random(4).shuffle(events)
    models = await fed(events)
    await assert_counters_give_the_old_figures(models, SYNTHETIC_PERIODS)
    summary = await build_summary(models, REGION, date(2026, 1, 1), date(2026, 12, 31), None)
    assert summary["funnel"]["reached"]["submitted"] > 0 and summary["durations"]["idea_to_submitted"]["cases"] > 0


async def test_the_counters_do_not_depend_on_the_order_of_arrival() -> None:
    events = stream(250, seed=29, run="ord")
    shuffled = list(events)
    random.Random(9).shuffle(shuffled)
    in_order, out_of_order = await fed(events), await fed(shuffled)
    for name in COUNTERS:  # the counters and the markers
        a = comparable({d["_id"]: d async for d in getattr(in_order, name).find({})})
        b = comparable({d["_id"]: d async for d in getattr(out_of_order, name).find({})})
        strip = ({k: {f: v for f, v in d.items() if not f.startswith("e_")} for k, d in x.items()} for x in (a, b))
        assert next(strip) == next(strip), name


def _session(idea_id: str, session_id: str, day: date) -> Any:
    start = START.replace(year=day.year, month=day.month, day=day.day)
    return envelope(SessionLogged(session_id=session_id, case_id="case-late", idea_id=idea_id, kind="phone",
                                  started_at=start, duration_minutes=30, advisor_id="adv-1"))


async def _counter(models: ReadModels, metric: str, month: str, municipality: str) -> int:
    doc = await models.monthly.find_one({"_id": f"{metric}|{month}|{municipality}|"})
    return int((doc or {}).get("n") or 0)


async def test_a_late_session_moves_the_first_session_count_once() -> None:
    models = await read_models()
    idea = idea_submitted(submitted_at=START)
    march, january = _session(idea.idea_id, "s-march", date(2026, 3, 10)), _session(idea.idea_id, "s-jan",
                                                                                     date(2026, 1, 20))
    municipality = idea.organisation.municipality
    for env in (envelope(idea), march, january, january, march):  # redeliveries too
        await apply_event(models, env)
    assert await _counter(models, recount.ADVISED_YEAR, "2026-03", municipality) == 0
    assert await _counter(models, recount.ADVISED_YEAR, "2026-01", municipality) == 1
    assert await _counter(models, recount.ADVISED_YEAR_ALL, "2026-01", "_region") == 1
    year = await build_summary(models, REGION, date(2026, 1, 1), date(2026, 12, 31), None)
    first_quarter = await build_summary(models, REGION, date(2026, 1, 1), date(2026, 1, 31), municipality)
    assert year["associations_advised"] == first_quarter["associations_advised"] == 1


async def test_a_move_left_half_done_by_a_crash_is_finished_once_by_the_next_recount(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    models = await read_models()
    idea = idea_submitted(submitted_at=START)
    await apply_event(models, envelope(idea))

    def stage(to: str, days: int) -> Any:
        return envelope(StageChanged(case_id="case-x", idea_id=idea.idea_id, reference="KOO", from_stage="idea",
                                     to_stage=to, changed_by="adv-1", changed_at=START + timedelta(days=days)))

    later, earlier = stage("sparring", 70), stage("sparring", 5)
    await apply_event(models, later)
    real_apply = ReadModels.apply

    async def crash_on_moves(self: ReadModels, event_id: str, event_type: str, increments: Any) -> bool:
        if event_type == "recount":
            raise ConnectionError("the store went away")
        return await real_apply(self, event_id, event_type, increments)

    monkeypatch.setattr(ReadModels, "apply", crash_on_moves)
    with pytest.raises(ConnectionError):
        await apply_event(models, earlier)
    case = await models.cases.find_one({"_id": idea.idea_id})
    assert case and case["pending_id"]  # the move was recorded with the new basis, not yet applied
    monkeypatch.setattr(ReadModels, "apply", real_apply)
    await apply_event(models, earlier)  # the redelivery
    await apply_event(models, earlier)
    case = await models.cases.find_one({"_id": idea.idea_id})
    assert case and not case.get("pending_id")
    rows = [r async for r in models.funnel_monthly.find({"metric": recount.FUNNEL_BY_MONTH})]
    sparring = {r["key"]: r["n"] for r in rows if r["key"].endswith("|sparring")}
    assert sparring == {"r2026-01|sparring": 1, "r2026-03|sparring": 0}
