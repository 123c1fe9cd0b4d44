"""Every allowed transition works and emits exactly one stage-changed; every disallowed one answers 409 and
emits none. Sessions, notes, messages and follow-ups land on the case timeline and emit their events."""

from __future__ import annotations

from typing import Any

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.lifecycle import MOVES, STAGES, allowed_targets
from koonto.shared.sealing import Opener, is_sealed
from tests.advisory.integration.conftest import Stream, bearer
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted

PATHS: dict[str, list[str]] = {
    "idea": [],
    "sparring": ["sparring"],
    "preparing": ["sparring", "preparing"],
    "submitted": ["sparring", "preparing", "submitted"],
    "supplementing": ["sparring", "preparing", "submitted", "supplementing"],
    "funded": ["sparring", "preparing", "submitted", "funded"],
    "declined": ["sparring", "preparing", "submitted", "declined"],
    "implementation": ["sparring", "preparing", "submitted", "funded", "implementation"],
    "closed": ["sparring", "preparing", "submitted", "funded", "implementation", "closed"],
    "withdrawn": ["withdrawn"],
}


def body_for(target: str, call_id: str, *, reason: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"to": target}
    if reason:
        body["reason"] = reason
    if target == "preparing":
        body["call_id"] = call_id
    if target == "submitted":
        body["amount_applied_eur"] = 48_000
    if target == "funded":
        body["amount_granted_eur"] = 42_500
    if target == "closed":
        body["public_summary"] = "Kohtaamispaikka avattiin ja sitä käyttää viikoittain 60 kyläläistä."
    if target == "withdrawn":
        body["reason"] = reason or "Yhdistys päätti luopua hankkeesta."
    return body


async def open_cases(stream: Stream, count: int) -> list[str]:
    ideas = [idea_submitted(reference=f"KOO-2026-{i:04d}") for i in range(1, count + 1)]
    for idea in ideas:
        await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", count, settle=0, timeout=30)
    return [case_id_for(i.idea_id) for i in ideas]


async def test_every_allowed_move_emits_one_stage_changed_and_every_other_move_is_refused(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    h = bearer(staff_tokens["advisor"])
    advisor_id = (await http.get("/api/v1/me", headers=h)).json()["staff_id"]
    call = await http.post(
        "/api/v1/calls",
        headers=h,
        json={
            "name": "ESF+ kansalaistoiminta 2027",
            "funder": "Itä-Suomen elinvoimakeskus",
            "opens_on": "2026-12-01",
            "closes_on": "2027-01-31",
            "budget_eur": 500_000,
        },
    )
    assert call.status_code == 201, call.text
    call_id = call.json()["call_id"]

    moves = sorted(MOVES)
    case_ids = await open_cases(stream, len(moves))
    expected_events: dict[str, int] = {}
    for (source, target), case_id in zip(moves, case_ids, strict=True):
        for step in PATHS[source]:
            response = await http.post(f"/api/v1/cases/{case_id}/transitions", headers=h, json=body_for(step, call_id))
            assert response.status_code == 200, (source, step, response.text)
        # from here, every move outside the machine is refused with the allowed ones named
        for wrong in STAGES:
            if (source, wrong) in MOVES:
                continue
            response = await http.post(
                f"/api/v1/cases/{case_id}/transitions", headers=h, json=body_for(wrong, call_id, reason="kokeilu")
            )
            assert response.status_code == 409, (source, wrong, response.text)
            problem = response.json()
            assert problem["allowed"] == list(allowed_targets(source)) and problem["current"] == source
            for allowed in allowed_targets(source):
                assert allowed in problem["detail"]
        reason = "Palataan edelliseen vaiheeseen." if MOVES[(source, target)].needs_reason else None
        response = await http.post(
            f"/api/v1/cases/{case_id}/transitions", headers=h, json=body_for(target, call_id, reason=reason)
        )
        assert response.status_code == 200, (source, target, response.text)
        assert response.json()["stage"] == target
        expected_events[case_id] = len(PATHS[source]) + 1

    total = sum(expected_events.values())
    events = await stream.wait_for("stage-changed", total, settle=1.5, timeout=40)
    per_case: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        per_case.setdefault(event.data["case_id"], []).append(event.data)
    assert {k: len(v) for k, v in per_case.items()} == expected_events
    for (source, target), case_id in zip(moves, case_ids, strict=True):
        last = per_case[case_id][-1]
        assert (last["from_stage"], last["to_stage"], last["changed_by"]) == (source, target, advisor_id)
        if MOVES[(source, target)].needs_reason:
            assert last["reason"]
        if target == "funded":
            assert (last["amount_applied_eur"], last["amount_granted_eur"]) == (48_000, 42_500)
        if target == "preparing":
            assert last["call_id"] == call_id
        if target == "closed":
            assert last["public_summary"].startswith("Kohtaamispaikka")


async def test_a_move_missing_what_its_stage_needs_is_refused_with_the_field(
    stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    h = bearer(staff_tokens["coordinator"])
    [case_id] = await open_cases(stream, 1)
    response = await http.post(f"/api/v1/cases/{case_id}/transitions", headers=h, json={"to": "withdrawn"})
    assert response.status_code == 422 and response.json()["field"] == "reason"
    await http.post(f"/api/v1/cases/{case_id}/transitions", headers=h, json={"to": "sparring"})
    response = await http.post(f"/api/v1/cases/{case_id}/transitions", headers=h, json={"to": "preparing"})
    assert response.status_code == 422 and response.json()["field"] == "call_id"
    response = await http.post(
        f"/api/v1/cases/{case_id}/transitions", headers=h, json={"to": "preparing", "call_id": "no-such-call"}
    )
    assert response.status_code == 422 and response.json()["field"] == "call_id"
    response = await http.post(
        f"/api/v1/cases/{case_id}/transitions", headers=h, json={"to": "sparring", "amount_applied_eur": 1.5}
    )
    assert response.status_code == 422  # integer euros only
    await stream.wait_for("stage-changed", 1)


async def test_sessions_notes_messages_and_followups_build_the_timeline(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    h = bearer(staff_tokens["advisor"])
    [case_id] = await open_cases(stream, 1)
    session = await http.post(
        f"/api/v1/cases/{case_id}/sessions",
        headers=h,
        json={
            "kind": "phone",
            "started_at": "2026-12-04T10:00:00+02:00",
            "duration_minutes": 45,
            "topics": ["budjetti", "hakemus"],
            "note": "Soitettiin, käytiin läpi budjetti.",
        },
    )
    assert session.status_code == 201, session.text
    assert (
        await http.post(
            f"/api/v1/cases/{case_id}/sessions",
            headers=h,
            json={
                "kind": "smoke-signals",
                "started_at": "2026-12-04T10:00:00+02:00",
                "duration_minutes": 5,
            },
        )
    ).status_code == 422
    assert (
        await http.post(f"/api/v1/cases/{case_id}/notes", headers=h, json={"text": "Sisäinen huomio"})
    ).status_code == 201
    message = await http.post(f"/api/v1/cases/{case_id}/messages", headers=h, json={"body": "Hei, tässä ohjeet."})
    assert message.status_code == 201, message.text
    followup = await http.post(
        f"/api/v1/cases/{case_id}/followups", headers=h, json={"due_on": "2026-12-10", "note": "Kysy budjetista"}
    )
    assert followup.status_code == 201, followup.text
    assert (
        await http.post(f"/api/v1/cases/{case_id}/followups", headers=h, json={"due_on": "2026-12-01"})
    ).status_code == 422  # already past

    logged = (await stream.wait_for("session-logged", 1))[0].data
    assert (
        logged["kind"] == "phone" and logged["duration_minutes"] == 45 and logged["topics"] == ["budjetti", "hakemus"]
    )
    sealed = (await stream.wait_for("association-messaged", 1))[0]
    assert is_sealed(sealed.data["body"])  # the message text leaves advisory sealed with the idea's key
    assert advisory.infra.keys is not None
    messaged = (await Opener(advisory.infra.keys).open(sealed)).data
    assert messaged["body"] == "Hei, tässä ohjeet." and messaged["advisor_name"] == "Testi advisor"
    assert set(messaged) == {
        "message_id",
        "case_id",
        "idea_id",
        "reference",
        "advisor_id",
        "advisor_name",
        "body",
        "sent_at",
    }

    detail = (await http.get(f"/api/v1/cases/{case_id}", headers=h)).json()
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "session", "note", "message", "followup"]
    assert detail["first_contact_at"] is not None
    mine = (await http.get("/api/v1/followups?mine=true", headers=h)).json()
    assert [f["due_on"] for f in mine] == ["2026-12-10"]
    done = await http.post(f"/api/v1/followups/{mine[0]['followup_id']}/done", headers=h)
    assert done.status_code == 200 and done.json()["done"] is True
    assert (await http.get("/api/v1/followups?mine=true", headers=h)).json() == []
    await eventually(lambda: advisory.relay.pending(), until=lambda n: n == 0, what="outbox drained")
