"""use_cases/calls.py: a funding call is checked and recorded (its notices come from the scheduler)."""

from __future__ import annotations

from datetime import date

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.errors import Invalid, NotFound
from tests.advisory.unit.conftest import COORDINATOR, events


async def test_a_call_is_recorded_with_its_notice_window(deps: AdvisoryContainer) -> None:
    doc = await deps.calls.create_call(
        COORDINATOR, name=" Kevään haku ", funder="Leader", opens_on=date(2027, 1, 10), closes_on=date(2027, 2, 28),
        budget_eur=100_000, url="https://example.fi/haku", description="",
    )
    assert doc["name"] == "Kevään haku" and doc["notices_until"] >= "2027-03-01"
    stored = await deps.views.call(doc["_id"])
    assert stored["notices"] and not any(stored["notices"].values())
    assert [c["_id"] for c in await deps.views.calls()] == [doc["_id"]]
    assert await events(deps) == []
    with pytest.raises(NotFound):
        await deps.views.call("call-nope")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"funder": ""}, "funder"),
        ({"closes_on": date(2027, 1, 1)}, "closes_on"),
        ({"budget_eur": -1}, "budget_eur"),
        ({"url": "ftp://x"}, "url"),
    ],
)
async def test_a_call_is_refused_field_by_field(deps: AdvisoryContainer, change: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "name": "Haku", "funder": "Leader", "opens_on": date(2027, 1, 10), "closes_on": date(2027, 2, 28),
        "budget_eur": None, "url": None, "description": "",
    }
    with pytest.raises(Invalid) as refused:
        await deps.calls.create_call(COORDINATOR, **{**values, **change})  # type: ignore[arg-type]
    assert refused.value.field == field
