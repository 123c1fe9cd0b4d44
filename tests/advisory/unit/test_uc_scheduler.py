"""use_cases/scheduler.py: the first-contact service level, follow-ups and call notices fire once each."""

from __future__ import annotations

import asyncio
from datetime import date

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.domain.lifecycle import TransitionRequest
from tests.advisory.unit.conftest import COORDINATOR, advisor, events, open_case


async def test_first_contact_lapses_once_and_not_after_contact(deps: AdvisoryContainer, clock: FixedClock) -> None:
    late = await open_case(deps, "KOO-2026-0201")
    contacted = await open_case(deps, "KOO-2026-0202")
    await deps.cases.transition(COORDINATOR, contacted, TransitionRequest(target="sparring"))
    await events(deps)
    clock.set_day(date(2026, 12, 9), 9)  # opened Fri 4.12, two working days: due Tue 8.12, lapses Wed 9.12
    reports = await asyncio.gather(deps.scheduler.tick(), deps.scheduler.tick())
    assert sum(r.sla for r in reports) == 1
    [due] = await events(deps, "followup-due")
    assert due.data["case_id"] == late and due.data["kind"] == "first-contact-sla"
    assert not await deps.scheduler.tick()
    case = await deps.views.case(late)
    assert case["sla"]["fired"] is True and "sla:" + late in case["timeline"]


async def test_a_followup_fires_on_its_day(deps: AdvisoryContainer, clock: FixedClock) -> None:
    case_id = await open_case(deps)
    niina = await advisor(deps)
    await deps.cases.transition(COORDINATOR, case_id, TransitionRequest(target="sparring"))
    await deps.followups.add_followup(niina, case_id, due_on=date(2026, 12, 7), note="Soita")
    await events(deps)
    assert (await deps.scheduler.tick()).followups == 0
    clock.set_day(date(2026, 12, 7), 8)
    assert (await deps.scheduler.tick()).followups == 1
    assert (await deps.scheduler.tick()).followups == 0
    [due] = await events(deps, "followup-due")
    assert due.data["recipient_staff_ids"] == [niina.staff_id] and due.data["note"] == "Soita"


async def test_call_notices_fire_on_their_days(deps: AdvisoryContainer, clock: FixedClock) -> None:
    call = await deps.calls.create_call(
        COORDINATOR, name="Haku", funder="Leader", opens_on=date(2026, 12, 7), closes_on=date(2026, 12, 31),
        budget_eur=None, url=None, description="",
    )
    clock.set_day(date(2026, 12, 7), 9)
    report = await deps.scheduler.tick()
    assert report.call_notices == [(call["_id"], "opened")]
    clock.set_day(date(2026, 12, 17), 9)
    assert (await deps.scheduler.tick()).call_notices == [(call["_id"], "closing-14")]
    clock.set_day(date(2027, 1, 1), 9)
    await deps.scheduler.tick()
    kinds = [e.type.split(".")[2] for e in await events(deps) if e.type.startswith("koonto.advisory.call-")]
    assert kinds[0] == "call-opened" and kinds[1] == "call-closing-soon" and kinds[-1] == "call-closed"
