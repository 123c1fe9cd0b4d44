"""use_cases.projection on the in-memory store: what each event does to the read models, exactly once, in any
order (events ahead of their case are parked), and read tolerantly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from koonto.reporting.subscriptions import SUBSCRIPTIONS
from koonto.reporting.use_cases.projection import BY_TYPE, HANDLERS, apply_event
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import SessionLogged
from koonto.shared.contracts.intake import ErasureRequested
from tests.reporting.unit.memory import read_models
from tests.support.samples import envelope, idea_submitted


async def counted(models: Any, metric: str, value: str = "n") -> int:
    return sum([int(d.get(value) or 0) async for d in models.counters.find({"metric": metric})])


def early_session(idea_id: str) -> Envelope:
    return envelope(SessionLogged(session_id=f"s-{idea_id}", case_id=f"case-{idea_id}", idea_id=idea_id,
                                  kind="phone", started_at=datetime(2026, 3, 3, 8, tzinfo=UTC), duration_minutes=30,
                                  advisor_id="x"))


def test_the_subscription_table_and_the_projection_table_name_the_same_events() -> None:
    assert sorted(s.subject for s in SUBSCRIPTIONS) == sorted(BY_TYPE)
    assert len(SUBSCRIPTIONS) == len(HANDLERS)


async def test_an_idea_is_counted_once_however_often_it_arrives_and_keeps_nothing_personal() -> None:
    models = await read_models()
    idea = envelope(idea_submitted(idea_id="idea-1", submitted_at="2026-02-02T09:00:00+00:00"))
    assert await apply_event(models, idea)
    assert await apply_event(models, idea)  # a redelivery past the inbox: the counters refuse it
    assert await counted(models, "ideas") == 1
    case = await models.cases.find_one({"_id": "idea-1"})
    assert case is not None and case["municipality"] == idea.data["organisation"]["municipality"]
    assert "contact" not in case and "maija@example.fi" not in str(case)


async def test_an_event_of_a_type_reporting_does_not_consume_is_ignored() -> None:
    models = await read_models()
    idea = envelope(idea_submitted())
    assert not await apply_event(models, idea.model_copy(update={"type": "koonto.intake.idea-amended.v1"}))
    assert await models.counters.count_documents({}) == 0


async def test_a_session_before_its_idea_is_parked_then_counted_when_the_idea_comes() -> None:
    models = await read_models()
    assert await apply_event(models, early_session("idea-late"))
    assert await models.parked_count() == 1 and await counted(models, "sessions") == 0
    parked = await models.parked.find_one({})
    assert parked is not None and "reason" not in parked["envelope"]
    await apply_event(models, envelope(idea_submitted(idea_id="idea-late", submitted_at="2026-03-02T08:00:00+00:00")))
    assert await models.parked_count() == 0
    assert await counted(models, "sessions") == 1 and await counted(models, "sessions", "minutes") == 30


async def test_an_erasure_drops_the_organisation_name_and_the_consent() -> None:
    models = await read_models()
    await apply_event(models, envelope(idea_submitted(idea_id="idea-e")))
    assert (await models.cases.find_one({"_id": "idea-e"}) or {}).get("publication")
    await apply_event(models, envelope(ErasureRequested(request_id="r1", requested_at=datetime(2026, 5, 1, tzinfo=UTC),
                                                        email="maija@example.fi", idea_ids=("idea-e",))))
    case = await models.cases.find_one({"_id": "idea-e"})
    assert case is not None and case["erased"] and not case["publication"] and "organisation_name" not in case
    await apply_event(models, envelope(idea_submitted(idea_id="idea-e")))  # a late redelivery: stays erased
    assert not (await models.cases.find_one({"_id": "idea-e"}) or {}).get("publication")


async def test_fields_a_newer_producer_added_are_ignored_when_the_event_is_read() -> None:
    models = await read_models()
    idea = envelope(idea_submitted(idea_id="idea-new"))
    newer = idea.model_copy(update={"data": {**idea.data, "added_later": {"x": 1}}})
    assert await apply_event(models, newer)
    assert await counted(models, "ideas") == 1
