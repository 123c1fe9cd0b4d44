"""Reminders and notices fire on the right (working) day, once, with two replicas on the same database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date

import httpx
import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.main import create_runtime
from koonto.advisory.settings import AdvisorySettings
from koonto.shared.runtime import Runtime
from tests.advisory.integration.conftest import Stream, bearer
from tests.support.polling import stays
from tests.support.samples import envelope, idea_submitted
from tests.support.services import running


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock.on(date(2026, 12, 22), 9)  # Tuesday before Christmas


@pytest.fixture
async def replica(
    runtime: Runtime, make_settings: Callable[..., AdvisorySettings], clock: FixedClock
) -> AsyncIterator[Runtime]:
    """A second replica of advisory on the same database, NATS and clock."""
    twin = create_runtime(make_settings(), clock=clock)
    async with running(twin):
        yield twin


async def open_case(stream: Stream, reference: str) -> str:
    idea = idea_submitted(reference=reference)
    await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 1, settle=0, where=lambda e: e.data["reference"] == reference)
    return case_id_for(idea.idea_id)


async def nothing_more(stream: Stream, name: str, count: int, duration: float = 0.7) -> None:
    await stays(lambda: stream.of_type(name), until=lambda xs: len(xs) == count, duration=duration)


async def test_first_contact_sla_fires_on_the_right_working_day_across_christmas_once_with_two_replicas(
    runtime: Runtime,
    replica: Runtime,
    advisory: AdvisoryContainer,
    stream: Stream,
    clock: FixedClock,
    http: httpx.AsyncClient,
    staff_tokens: dict[str, str],
) -> None:
    coordinator_id = (await http.get("/api/v1/me", headers=bearer(staff_tokens["coordinator"]))).json()["staff_id"]
    silent = await open_case(stream, "KOO-2026-0101")
    contacted = await open_case(stream, "KOO-2026-0102")
    # the second case gets a phone call on 23.12: its service level is met
    clock.set_day(date(2026, 12, 23), 10)
    response = await http.post(
        f"/api/v1/cases/{contacted}/sessions",
        headers=bearer(staff_tokens["advisor"]),
        json={"kind": "phone", "started_at": "2026-12-23T10:00:00+02:00", "duration_minutes": 20},
    )
    assert response.status_code == 201

    # two working days after Tuesday 22.12 are 23.12 and 28.12 (24.–27.12 are jouluaatto, joulupäivä,
    # tapaninpäivä and a Sunday); the coordinator hears on the next working day, 29.12, and not before
    for day in (date(2026, 12, d) for d in (23, 24, 25, 26, 27, 28)):
        clock.set_day(day, 9)
        await nothing_more(stream, "followup-due", 0, duration=0.5)
    clock.set_day(date(2026, 12, 29), 7)
    [due] = await stream.wait_for("followup-due", 1, settle=1.5)
    assert due.data["case_id"] == silent and due.data["kind"] == "first-contact-sla"
    assert due.data["due_on"] == "2026-12-28" and due.data["recipient_staff_ids"] == [coordinator_id]
    # later days do not repeat it
    clock.set_day(date(2026, 12, 30), 9)
    await nothing_more(stream, "followup-due", 1)
    timeline = (await http.get(f"/api/v1/cases/{silent}", headers=bearer(staff_tokens["advisor"]))).json()["timeline"]
    assert [e["kind"] for e in timeline] == ["opened", "sla"]


async def test_concurrent_ticks_fire_each_thing_once_even_without_the_lease(
    runtime: Runtime,
    replica: Runtime,
    stream: Stream,
    clock: FixedClock,
) -> None:
    a, b = runtime.container, replica.container
    for i in range(5):
        await open_case(stream, f"KOO-2026-02{i:02d}")
    clock.set_day(date(2027, 1, 15), 9)
    # both replicas run the whole tick at the same moment, several times, as if both held the lease
    reports = await asyncio.gather(*(x.scheduler.tick() for x in (a, b, a, b, a, b)))
    assert sum(r.sla for r in reports) == 5
    await stream.wait_for("followup-due", 5, settle=1.5)


async def test_dated_followup_reaches_its_owner_on_the_day_once(
    runtime: Runtime,
    replica: Runtime,
    stream: Stream,
    clock: FixedClock,
    http: httpx.AsyncClient,
    staff_tokens: dict[str, str],
) -> None:
    advisor = bearer(staff_tokens["advisor"])
    advisor_id = (await http.get("/api/v1/me", headers=advisor)).json()["staff_id"]
    case_id = await open_case(stream, "KOO-2026-0301")
    await http.post(
        f"/api/v1/cases/{case_id}/sessions",
        headers=advisor,
        json={"kind": "meeting", "started_at": "2026-12-22T12:00:00+02:00", "duration_minutes": 60},
    )
    response = await http.post(
        f"/api/v1/cases/{case_id}/followups", headers=advisor, json={"due_on": "2027-01-07", "note": "Soita budjetista"}
    )
    assert response.status_code == 201
    clock.set_day(date(2027, 1, 6), 9)
    await nothing_more(stream, "followup-due", 0)
    clock.set_day(date(2027, 1, 7), 8)
    [due] = await stream.wait_for("followup-due", 1, settle=1.5)
    assert due.data["kind"] == "followup" and due.data["recipient_staff_ids"] == [advisor_id]
    assert due.data["note"] == "Soita budjetista" and due.data["due_on"] == "2027-01-07"


async def test_call_events_fire_on_their_days_once_each_naming_the_preparing_cases(
    runtime: Runtime,
    replica: Runtime,
    stream: Stream,
    clock: FixedClock,
    http: httpx.AsyncClient,
    staff_tokens: dict[str, str],
) -> None:
    h = bearer(staff_tokens["coordinator"])
    created = await http.post(
        "/api/v1/calls",
        headers=h,
        json={
            "name": "Kansalaislähtöinen kehittäminen 2027",
            "funder": "Itä-Suomen elinvoimakeskus",
            "opens_on": "2027-01-04",
            "closes_on": "2027-01-31",
            "budget_eur": 750_000,
            "url": "https://www.eura2021.fi/",
            "description": "ESF+ erityistavoite 4.3",
        },
    )
    assert created.status_code == 201, created.text
    call_id = created.json()["call_id"]
    preparing, other = await open_case(stream, "KOO-2026-0401"), await open_case(stream, "KOO-2026-0402")
    for step in ({"to": "sparring"}, {"to": "preparing", "call_id": call_id}):
        assert (await http.post(f"/api/v1/cases/{preparing}/transitions", headers=h, json=step)).status_code == 200
    await http.post(f"/api/v1/cases/{other}/transitions", headers=h, json={"to": "sparring"})

    async def call_events() -> list[tuple[str, object]]:
        return [
            (e.type.split(".")[2], e.data.get("days_left"))
            for e in await stream.events()
            if e.type.split(".")[2].startswith("call-")
        ]

    expected: list[tuple[str, object]] = []
    schedule = {
        date(2027, 1, 3): None,
        date(2027, 1, 4): ("call-opened", None),
        date(2027, 1, 5): None,
        date(2027, 1, 16): None,
        date(2027, 1, 17): ("call-closing-soon", 14),
        date(2027, 1, 18): None,
        date(2027, 1, 27): None,
        date(2027, 1, 28): ("call-closing-soon", 3),
        date(2027, 1, 29): None,
        date(2027, 1, 31): None,
        date(2027, 2, 1): ("call-closed", None),
        date(2027, 2, 2): None,
        date(2027, 3, 1): None,
    }
    for day, fires in schedule.items():
        clock.set_day(day, 6)
        if fires:
            expected.append(fires)
        await stays(call_events, until=lambda got: got == expected or len(got) < len(expected), duration=0.2)
        from tests.support.polling import eventually

        await eventually(call_events, until=lambda got: got == expected, timeout=10, what=f"call events on {day}")
        await stays(call_events, until=lambda got: got == expected, duration=0.6)

    soon = [e.data for e in await stream.of_type("call-closing-soon")]
    assert all(d["preparing_case_ids"] == [preparing] for d in soon)
    assert all(len(d["preparing_idea_ids"]) == 1 for d in soon)
    opened = (await stream.of_type("call-opened"))[0].data
    assert (
        opened["budget_eur"] == 750_000 and opened["opens_on"] == "2027-01-04" and opened["closes_on"] == "2027-01-31"
    )
    closed = (await stream.of_type("call-closed"))[0].data
    assert closed["closed_on"] == "2027-01-31"
    notices = (await http.get(f"/api/v1/calls/{call_id}", headers=h)).json()["notices"]
    assert notices == {"opened": True, "closing_14": True, "closing_3": True, "closed": True}
