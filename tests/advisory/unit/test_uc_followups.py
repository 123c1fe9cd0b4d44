"""use_cases/followups.py: a dated reminder on a case, and who may mark it done."""

from __future__ import annotations

from datetime import date

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.errors import Forbidden, Invalid, NotFound
from tests.advisory.unit.conftest import COORDINATOR, advisor, events, open_case


async def test_a_followup_is_listed_and_marked_done_by_its_owner(deps: AdvisoryContainer) -> None:
    case_id = await open_case(deps)
    niina = await advisor(deps)
    await events(deps)
    doc = await deps.followups.add_followup(niina, case_id, due_on=date(2026, 12, 10), note="Soita")
    assert doc["assignee_id"] == niina.staff_id and doc["fired"] is False and doc["due_on"] == "2026-12-10"
    assert await events(deps) == []  # it fires on the day (the scheduler)
    assert [f["_id"] for f in await deps.views.followups(assignee_id=niina.staff_id)] == [doc["_id"]]
    with pytest.raises(Invalid):
        await deps.followups.add_followup(niina, case_id, due_on=date(2026, 12, 3), note=None)
    other = await advisor(deps, "toinen@koonto.example")
    with pytest.raises(Forbidden):
        await deps.followups.complete_followup(other, doc["_id"])
    done = await deps.followups.complete_followup(COORDINATOR, doc["_id"])
    assert done["done"] is True and done["done_by"] == COORDINATOR.staff_id
    assert await deps.views.followups(assignee_id=niina.staff_id) == []
    with pytest.raises(NotFound):
        await deps.followups.complete_followup(niina, "followup-nope")
