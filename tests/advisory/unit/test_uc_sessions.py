"""use_cases/sessions.py: sessions, notes and messages land on the timeline and emit their events."""

from __future__ import annotations

from datetime import datetime

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.errors import Invalid, NotFound, Refused
from tests.advisory.unit.conftest import COORDINATOR, events, open_case


async def test_a_session_is_the_first_contact_and_emits_session_logged(deps: AdvisoryContainer) -> None:
    case_id = await open_case(deps)
    await events(deps)
    entry = await deps.sessions.log_session(
        COORDINATOR, case_id, kind="meeting", started_at=datetime(2026, 12, 4, 10, 0), duration_minutes=45,
        topics=["budjetti", " ", "haku"], note="  Hyvä alku  ",
    )
    assert entry["text"] == "Hyvä alku" and entry["topics"] == ["budjetti", "haku"]
    [logged] = await events(deps, "session-logged")
    assert logged.data["duration_minutes"] == 45 and logged.data["started_at"].startswith("2026-12-04T08:00")
    case = await deps.views.case(case_id)
    assert case["first_contact_at"] is not None
    with pytest.raises(Invalid):
        await deps.sessions.log_session(COORDINATOR, case_id, kind="telepathy", started_at=datetime(2026, 12, 4),
                                        duration_minutes=5, topics=[], note=None)


async def test_notes_emit_nothing_and_messages_need_a_contact(deps: AdvisoryContainer) -> None:
    case_id = await open_case(deps)
    await events(deps)
    await deps.sessions.add_note(COORDINATOR, case_id, "Soitto sovittu")
    assert await events(deps) == []
    with pytest.raises(Invalid):
        await deps.sessions.add_note(COORDINATOR, case_id, "   ")
    with pytest.raises(NotFound):
        await deps.sessions.add_note(COORDINATOR, "case-nope", "x")
    await deps.sessions.message_association(COORDINATOR, case_id, "Tervetuloa!")
    [message] = await events(deps, "association-messaged")
    assert message.data["body"] == "Tervetuloa!" and message.data["advisor_name"] == COORDINATOR.name
    case = await deps.views.case(case_id)
    assert [e["kind"] for e in case["timeline"].values()] == ["opened", "note", "message"]
    await deps.store.update_case(case_id, case["version"], {"contact": None, "contact_erased": True})
    with pytest.raises(Refused):
        await deps.sessions.message_association(COORDINATOR, case_id, "Vielä yksi")
