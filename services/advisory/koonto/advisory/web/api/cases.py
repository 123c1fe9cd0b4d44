"""Cases: the lifecycle, listing and reading cases, moving and assigning them, the advisors' workload."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.lifecycle import BACKWARD, FORWARD, OPEN_STAGES, STAGES, TransitionRequest
from koonto.advisory.web.api.common import Body, Euros
from koonto.advisory.web.deps import ApiWork, CaseSearch
from koonto.advisory.web.serialize import case_json
from koonto.shared.stages import STAGE_LABELS

router = APIRouter(tags=["advisory"])


class TransitionIn(Body):
    to: str = Field(max_length=50)
    reason: str | None = Field(default=None, max_length=20_000)
    call_id: str | None = Field(default=None, max_length=100)
    amount_applied_eur: Euros | None = None
    amount_granted_eur: Euros | None = None
    public_summary: str | None = Field(default=None, max_length=20_000)


class AssignmentIn(Body):
    advisor_id: str = Field(min_length=1, max_length=100)


@router.get("/api/v1/stages", summary="The case lifecycle: stages, labels and allowed moves")
async def stages(principal: ApiWork) -> dict[str, Any]:
    return {
        "stages": [{"stage": s, "label_fi": STAGE_LABELS[s], "open": s in OPEN_STAGES} for s in STAGES],
        "forward": [list(m) for m in FORWARD],
        "backward_with_reason": [list(m) for m in BACKWARD],
        "withdraw_from": list(OPEN_STAGES),
    }


@router.get("/api/v1/cases", summary="Cases, filtered")
async def list_cases(
    advisory: Deps, principal: ApiWork, search: CaseSearch, stage: str | None = None, open_only: bool = False,
    limit: int = 200,
) -> list[dict[str, Any]]:
    flt = replace(search, stage=stage, open_only=open_only)
    return [case_json(c) for c in await advisory.views.cases(flt, limit=max(1, min(limit, 1000)))]


@router.get("/api/v1/cases/{case_id}", summary="One case with its timeline")
async def get_case(case_id: str, advisory: Deps, principal: ApiWork) -> Any:
    return case_json(await advisory.views.case(case_id), with_timeline=True)


@router.post("/api/v1/cases/{case_id}/transitions", summary="Move a case to another stage")
async def transition(case_id: str, body: TransitionIn, advisory: Deps, principal: ApiWork) -> Any:
    request = TransitionRequest(
        target=body.to,
        reason=body.reason,
        call_id=body.call_id,
        amount_applied_eur=body.amount_applied_eur,
        amount_granted_eur=body.amount_granted_eur,
        public_summary=body.public_summary,
    )
    return case_json(await advisory.cases.transition(Actor.of(principal), case_id, request))


@router.post("/api/v1/cases/{case_id}/assignment", summary="Assign the case to an advisor")
async def assign(case_id: str, body: AssignmentIn, advisory: Deps, principal: ApiWork) -> Any:
    return case_json(await advisory.cases.assign(Actor.of(principal), case_id, body.advisor_id))


@router.get("/api/v1/workload", summary="Open cases per advisor and stage")
async def workload(advisory: Deps, principal: ApiWork) -> list[dict[str, Any]]:
    return await advisory.views.workload()
