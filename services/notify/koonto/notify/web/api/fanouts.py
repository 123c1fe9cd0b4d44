"""Staff API: announcements to many, with their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from koonto.notify.web.deps import Deps, Staff, visible_regions

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get("/fanouts", summary="Announcements to many, with progress")
async def list_fanouts(deps: Deps, principal: Staff) -> list[dict[str, Any]]:
    return await deps.views.fanouts(visible_regions(deps, principal), deps.core.infra.regions.home.code)


@router.get("/fanouts/{fanout_id:path}", summary="Progress of one fan-out")
async def get_fanout(fanout_id: str, deps: Deps, principal: Staff) -> dict[str, Any]:
    return await deps.views.fanout(fanout_id, visible_regions(deps, principal), deps.core.infra.regions.home.code)
