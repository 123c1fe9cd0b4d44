"""Staff accounts: colleagues for everyone at work, creating and changing accounts for admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.web.api.common import Body
from koonto.advisory.web.deps import ApiAdmin, ApiWork
from koonto.advisory.web.serialize import plain

router = APIRouter(tags=["advisory"])


class StaffIn(Body):
    email: str = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=0, max_length=4)  # with `region_roles`: only whether the account is admin
    # without one the person is mailed an invitation to set their own (production refuses one: see StaffAccounts)
    password: str | None = Field(default=None, max_length=1000)
    language: str = "fi"
    # the roles per region on a deployment of several ({"pohjois-karjala": ["advisor"]}; "admin" stays in `roles`,
    # global); without it the roles are held in the home region
    region_roles: dict[str, list[str]] | None = Field(default=None, max_length=50)


class StaffPatch(Body):
    name: str | None = Field(default=None, max_length=200)
    roles: list[str] | None = Field(default=None, max_length=4)
    active: bool | None = None
    password: str | None = Field(default=None, max_length=1000)
    language: str | None = None
    region_roles: dict[str, list[str]] | None = Field(default=None, max_length=50)


def staff_out(doc: dict[str, Any]) -> dict[str, Any]:
    out = plain(doc, "staff_id")
    out.pop("password_hash", None)
    out.pop("password_link", None)
    return out


@router.get("/api/v1/staff", summary="Staff accounts")
async def list_staff(advisory: Deps, principal: ApiWork) -> list[dict[str, Any]]:
    return [staff_out(s) for s in await advisory.views.staff()]


@router.post("/api/v1/staff", summary="Create a staff account (admin)", status_code=201)
async def create_staff(body: StaffIn, advisory: Deps, principal: ApiAdmin) -> Any:
    return staff_out(await advisory.staff.create_staff(Actor.of(principal), **body.model_dump()))


@router.patch("/api/v1/staff/{staff_id}", summary="Change a staff account (admin)")
async def update_staff(staff_id: str, body: StaffPatch, advisory: Deps, principal: ApiAdmin) -> Any:
    return staff_out(await advisory.staff.update_staff(Actor.of(principal), staff_id, **body.model_dump()))
