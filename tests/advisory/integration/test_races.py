"""Two staff moving one case at once on ONE advisory replica: the store adapter serialises the guarded
`find_one_and_update` at the case's `version`, so one move wins and the other gets the conflict answer.
Across replicas this holds on MongoDB and nx-27017 only (docs/working-on-koonto.md, "Decisions concurrent
writers race for")."""

from __future__ import annotations

import asyncio
import itertools

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from tests.advisory.integration.conftest import Stream, bearer
from tests.advisory.integration.test_lifecycle import body_for, open_cases


async def test_moves_of_one_case_at_once_from_the_same_stage_let_exactly_one_win(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    h = bearer(staff_tokens["advisor"])
    [case_id] = await open_cases(stream, 1)
    before = await advisory.store.cases.find_one({"_id": case_id})
    targets = ["sparring", "withdrawn"] * 3
    responses = await asyncio.gather(*[
        http.post(f"/api/v1/cases/{case_id}/transitions", headers=h, json=body_for(t, "")) for t in targets])

    won = [t for t, r in zip(targets, responses, strict=True) if r.status_code == 200]
    assert won and all(r.status_code in (200, 409) for r in responses), [r.text for r in responses]
    refused = [r for r in responses if r.status_code == 409]
    assert all(r.json()["detail"] for r in refused)  # a clear answer, in Finnish by default
    changed = await stream.wait_for("stage-changed", len(won))
    chain = sorted(changed, key=lambda e: e.data["changed_at"])
    assert chain[0].data["from_stage"] == "idea"  # one move from "idea", every later one from where it left
    assert all(a.data["to_stage"] == b.data["from_stage"] for a, b in itertools.pairwise(chain))
    after = await advisory.store.cases.find_one({"_id": case_id})
    assert after["version"] == before["version"] + len(won) and after["stage"] == chain[-1].data["to_stage"]
