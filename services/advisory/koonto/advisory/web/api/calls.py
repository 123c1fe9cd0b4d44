"""Funding calls: list, create, and one call with the cases preparing an application for it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.web.api.common import Body, Euros
from koonto.advisory.web.deps import ApiWork
from koonto.advisory.web.serialize import plain

router = APIRouter(tags=["advisory"])


class CallIn(Body):
    name: str = Field(min_length=1, max_length=200)
    funder: str = Field(min_length=1, max_length=200)
    opens_on: date
    closes_on: date
    budget_eur: Euros | None = None
    url: str | None = Field(default=None, max_length=2000)
    description: str = Field(default="", max_length=20_000)
    region: str | None = Field(default=None, max_length=50, description="one of the caller's regions")


@router.get("/api/v1/calls", summary="Funding calls")
async def list_calls(advisory: Deps, principal: ApiWork) -> list[dict[str, Any]]:
    return [plain(c, "call_id") for c in await advisory.views.calls()]


@router.post("/api/v1/calls", summary="Create a funding call", status_code=201)
async def create_call(body: CallIn, advisory: Deps, principal: ApiWork) -> Any:
    doc = await advisory.calls.create_call(Actor.of(principal), **body.model_dump())
    return plain(doc, "call_id")


@router.get("/api/v1/calls/{call_id}", summary="One funding call with the cases preparing for it")
async def get_call(call_id: str, advisory: Deps, principal: ApiWork) -> Any:
    doc = plain(await advisory.views.call(call_id), "call_id")
    doc["preparing_case_ids"] = [c["_id"] for c in await advisory.views.preparing_cases_for_call(call_id)]
    return doc
