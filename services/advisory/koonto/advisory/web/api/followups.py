"""Dated follow-ups on cases: set one, list the open ones, mark one done."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.web.api.common import Body
from koonto.advisory.web.deps import ApiWork
from koonto.advisory.web.serialize import plain

router = APIRouter(tags=["advisory"])


class FollowupIn(Body):
    due_on: date
    note: str | None = Field(default=None, max_length=20_000)
    assignee_id: str | None = Field(default=None, max_length=100)


@router.post("/api/v1/cases/{case_id}/followups", summary="Set a dated follow-up", status_code=201)
async def add_followup(case_id: str, body: FollowupIn, advisory: Deps, principal: ApiWork) -> Any:
    doc = await advisory.followups.add_followup(
        Actor.of(principal), case_id, due_on=body.due_on, note=body.note, assignee_id=body.assignee_id
    )
    return plain(doc, "followup_id")


@router.get("/api/v1/followups", summary="Open follow-ups (mine=true: only mine)")
async def list_followups(
    advisory: Deps, principal: ApiWork, mine: bool = False, case: str | None = None
) -> list[dict[str, Any]]:
    docs = await advisory.views.followups(assignee_id=principal.staff_id if mine else None, case_id=case)
    return [plain(d, "followup_id") for d in docs]


@router.post("/api/v1/followups/{followup_id}/done", summary="Mark a follow-up done")
async def complete_followup(followup_id: str, advisory: Deps, principal: ApiWork) -> Any:
    return plain(await advisory.followups.complete_followup(Actor.of(principal), followup_id), "followup_id")
