"""Read paths (views.py) and the subscription table's handlers, fed advisory's events."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from koonto.intake.domain.errors import LinkRefused
from koonto.intake.subscriptions import SUBSCRIPTIONS
from koonto.shared.contracts.advisory import CallClosed, CallOpened, StageChanged
from tests.intake.unit.conftest import deliver, draft, events_of


def test_the_table_has_one_row_per_event_each_with_the_one_handler_signature() -> None:
    assert len({s.subject for s in SUBSCRIPTIONS}) == len(SUBSCRIPTIONS)
    for row in SUBSCRIPTIONS:
        assert list(row.handler.__annotations__)[:3] == ["event", "ctx", "deps"], row.handler


async def test_open_calls_are_listed_until_they_close(intake, clock) -> None:
    call_id = str(uuid.uuid4())
    today = clock().date()
    await deliver(intake, CallOpened(call_id=call_id, name="Leader-haku", funder="Leader", opens_on=today,
                                     closes_on=today + timedelta(days=10)))
    (call,) = await intake.views.open_calls()
    assert call["_id"] == call_id and call["days_left"] == 10
    await deliver(intake, CallClosed(call_id=call_id, name="Leader-haku", closed_on=today))
    assert await intake.views.open_calls() == []


async def test_a_stage_change_is_kept_only_when_newer(intake, clock) -> None:
    submission = await intake.ideas.submit(draft(intake))
    await events_of(intake)
    idea = await intake.views.idea_of_status_link(submission.status_url.rsplit("/", 1)[1])

    def changed(to: str, minutes: int) -> StageChanged:
        return StageChanged(case_id=str(uuid.uuid4()), idea_id=idea["_id"], reference=idea["reference"],
                            from_stage="idea", to_stage=to, changed_by="staff-1",
                            changed_at=clock() + timedelta(minutes=minutes))

    await deliver(intake, changed("preparing", 10))
    await deliver(intake, changed("sparring", 5))  # older, arriving late
    assert (await intake.views.idea(idea["_id"]))["stage"] == "preparing"
    await deliver(intake, StageChanged(**{**changed("sparring", 1).model_dump(), "idea_id": "not-ours"}))
    assert await events_of(intake) == []


async def test_a_link_that_is_not_ours_or_names_no_idea_is_refused(intake) -> None:
    with pytest.raises(LinkRefused) as refused:
        await intake.views.idea_of_status_link("forged")
    assert refused.value.verdict == "invalid"
    with pytest.raises(LinkRefused) as missing:
        await intake.views.idea_of_status_link(intake.links.status.sign(str(uuid.uuid4())))
    assert missing.value.verdict == "missing"
