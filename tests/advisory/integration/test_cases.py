"""Cases open from idea-submitted exactly once; the board, list, detail, assignment and workload show them."""

from __future__ import annotations

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.shared.contracts.intake import ErasureRequested
from tests.advisory.integration.conftest import Stream, bearer
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted


async def test_idea_delivered_twice_opens_one_case_and_one_case_opened(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    idea = idea_submitted(reference="KOO-2026-0042")
    env = envelope(idea)
    await stream.publish(env)
    # the same event again, past JetStream's duplicate window (another message id): the inbox drops it
    await stream.publish(env, message_id=f"{env.id}-again")
    # and intake re-publishing the same idea under a new event id: the case id derived from the idea drops it
    await stream.publish(envelope(idea))

    opened = await stream.wait_for("case-opened", 1, settle=1.5)
    data = opened[0].data
    assert data["case_id"] == case_id_for(idea.idea_id) and data["idea_id"] == idea.idea_id
    assert data["reference"] == "KOO-2026-0042" and data["organisation"]["municipality"] == "siilinjarvi"
    assert "contact" not in data  # nothing personal leaves advisory in case-opened
    assert opened[0].correlationid == env.correlationid
    assert await advisory.store.cases.count_documents({}) == 1

    token = staff_tokens["advisor"]
    cases = (await http.get("/api/v1/cases", headers=bearer(token))).json()
    assert [c["reference"] for c in cases] == ["KOO-2026-0042"]
    detail = (await http.get(f"/api/v1/cases/{data['case_id']}", headers=bearer(token))).json()
    assert detail["stage"] == "idea" and detail["contact"]["email"] == "maija@example.fi"
    assert [e["kind"] for e in detail["timeline"]] == ["opened"]


async def test_filters_assignment_workload_and_erasure(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    from koonto.shared.contracts.intake import Organisation

    first = idea_submitted(reference="KOO-2026-0001", title="Kylätalon kohtaamispaikka")
    second = idea_submitted(
        reference="KOO-2026-0002",
        title="Nuorten liikuntakerho",
        themes=("sport", "youth"),
        organisation=Organisation(name="Iisalmen Urheilijat ry", type="registered_association", municipality="iisalmi"),
    )
    for idea in (first, second):
        await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 2, settle=0)
    h = bearer(staff_tokens["coordinator"])

    async def refs(**params: str) -> list[str]:
        response = await http.get("/api/v1/cases", headers=h, params=params)
        assert response.status_code == 200, response.text
        return sorted(c["reference"] for c in response.json())

    assert await refs(municipality="iisalmi") == ["KOO-2026-0002"]
    assert await refs(theme="village") == ["KOO-2026-0001"]
    assert await refs(q="LIIKUNTA") == ["KOO-2026-0002"]
    assert await refs(q="(.*") == []  # typed text is text, never a pattern
    assert await refs(advisor="none") == ["KOO-2026-0001", "KOO-2026-0002"]

    me = (await http.get("/api/v1/me", headers=bearer(staff_tokens["advisor"]))).json()
    case_id = case_id_for(second.idea_id)
    response = await http.post(f"/api/v1/cases/{case_id}/assignment", headers=h, json={"advisor_id": me["staff_id"]})
    assert response.status_code == 200, response.text
    assigned = await stream.wait_for("case-assigned", 1)
    assert assigned[0].data["advisor_id"] == me["staff_id"] and assigned[0].data["assigned_by"] != me["staff_id"]
    assert await refs(advisor=me["staff_id"]) == ["KOO-2026-0002"]
    workload = (await http.get("/api/v1/workload", headers=h)).json()
    mine = next(r for r in workload if r["advisor_id"] == me["staff_id"])
    assert mine["open_cases"] == 1 and mine["by_stage"] == {"idea": 1}

    # an advisor may take a case but not hand one to someone else
    coordinator = (await http.get("/api/v1/me", headers=h)).json()
    response = await http.post(
        f"/api/v1/cases/{case_id_for(first.idea_id)}/assignment",
        headers=bearer(staff_tokens["advisor"]),
        json={"advisor_id": coordinator["staff_id"]},
    )
    assert response.status_code == 403

    # erasure: the contact leaves the case; the case stays; no message can go any more
    erasure = ErasureRequested(
        request_id="er-1", requested_at=first.submitted_at, email="MAIJA@example.fi", idea_ids=(first.idea_id,)
    )
    await stream.publish(envelope(erasure, subject="er-1"))

    async def contacts() -> list[object]:
        return [c.get("contact") async for c in advisory.store.cases.find({}, {"contact": 1})]

    await eventually(contacts, until=lambda cs: cs == [None, None], what="contacts erased")
    response = await http.post(f"/api/v1/cases/{case_id}/messages", headers=h, json={"body": "Hei!"})
    assert response.status_code == 409
    assert await refs(q="maija") == []
