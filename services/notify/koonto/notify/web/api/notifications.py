"""Staff API: the delivery log with filters, one delivery, re-sending one whose outcome is unknown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query

from koonto.notify.views import DeliveryFilter
from koonto.notify.web.deps import Coordinator, Deps, Staff, visible_regions

router = APIRouter(prefix="/api/v1", tags=["notifications"])

PUBLIC_FIELDS = (
    "kind",
    "channel",
    "address",
    "recipient_name",
    "language",
    "status",
    "attempts",
    "cause_event_id",
    "cause_type",
    "created_at",
    "due_at",
    "not_before",
    "sent_at",
    "failed_at",
    "last_error",
    "skip_reason",
    "message_id",
    "provider_id",
    "segments",
    "fanout_id",
    "permanent",
    "fallback",
    "language_used",
    "subject",
)


def public_delivery(d: dict[str, Any]) -> dict[str, Any]:
    return {"id": d["_id"], **{k: d.get(k) for k in PUBLIC_FIELDS if k in d}}


@router.get("/notifications", summary="Delivery log, newest first")
async def list_notifications(
    deps: Deps,
    principal: Staff,
    recipient: str | None = Query(None, description="e-mail address or phone number (E.164)"),
    kind: str | None = None,
    status: str | None = Query(None, description="pending, sending, sent, failed, skipped, cancelled or unconfirmed"),
    since: datetime | None = Query(None, description="created at or after (ISO 8601)"),
    until: datetime | None = Query(None, description="created before (ISO 8601)"),
    fanout: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    where = DeliveryFilter(recipient=recipient, kind=kind, status=status, since=since, until=until, fanout_id=fanout,
                           regions=visible_regions(deps, principal), home=deps.core.infra.regions.home.code)
    items = await deps.views.deliveries(where, limit=limit, skip=offset)
    return {"items": [public_delivery(d) for d in items], "limit": limit, "offset": offset}


@router.get("/notifications/{delivery_id:path}", summary="One delivery")
async def get_notification(delivery_id: str, deps: Deps, principal: Staff) -> dict[str, Any]:
    home = deps.core.infra.regions.home.code
    return public_delivery(await deps.views.delivery(delivery_id, visible_regions(deps, principal), home))


@router.post("/resend/{delivery_id:path}", summary="Send again a delivery whose outcome is unknown (unconfirmed)")
async def resend(delivery_id: str, deps: Deps, principal: Coordinator) -> dict[str, Any]:
    home = deps.core.infra.regions.home.code
    await deps.views.delivery(delivery_id, visible_regions(deps, principal, "coordinator"), home)
    await deps.recovery.resend(delivery_id, by=principal.staff_id)
    return {"id": delivery_id, "status": "pending"}
