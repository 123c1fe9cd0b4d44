"""Staff API: the delivery log with filters, re-sending, fan-out progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from koonto.notify.app import NotifyApp
from koonto.shared.auth import StaffPrincipal, require_staff

STATUSES = ("pending", "sending", "sent", "failed", "skipped", "cancelled", "unconfirmed")


def notify_app(request: Request) -> NotifyApp:
    return request.app.state.runtime.state["notify"]  # type: ignore[no-any-return]


def public_delivery(d: dict[str, Any]) -> dict[str, Any]:
    keys = (
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
    return {"id": d["_id"], **{k: d.get(k) for k in keys if k in d}}


def router() -> APIRouter:
    r = APIRouter(prefix="/api/v1", tags=["notifications"])
    staff = Depends(require_staff("coordinator", "advisor"))

    @r.get("/notifications", summary="Delivery log, newest first")
    async def list_notifications(
        request: Request,
        recipient: str | None = Query(None, description="e-mail address or phone number (E.164)"),
        kind: str | None = None,
        status: str | None = Query(
            None, description="pending, sending, sent, failed, skipped, cancelled or unconfirmed"
        ),
        since: datetime | None = Query(None, description="created at or after (ISO 8601)"),
        until: datetime | None = Query(None, description="created before (ISO 8601)"),
        fanout: str | None = None,
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=1_000_000),
        principal: StaffPrincipal = staff,
    ) -> dict[str, Any]:
        app = notify_app(request)
        items = await app.store.list_deliveries(
            recipient=recipient,
            kind=kind,
            status=status,
            since=since,
            until=until,
            fanout_id=fanout,
            limit=limit,
            skip=offset,
        )
        return {"items": [public_delivery(d) for d in items], "limit": limit, "offset": offset}

    @r.get("/notifications/{delivery_id:path}", summary="One delivery")
    async def get_notification(delivery_id: str, request: Request, principal: StaffPrincipal = staff) -> dict[str, Any]:
        doc = await notify_app(request).store.delivery(delivery_id)
        if doc is None:
            raise HTTPException(404, "Ei löytynyt. / Not found.")
        return public_delivery(doc)

    @r.post("/resend/{delivery_id:path}", summary="Send again a delivery whose outcome is unknown (unconfirmed)")
    async def resend(
        delivery_id: str, request: Request, principal: StaffPrincipal = Depends(require_staff("coordinator"))
    ) -> dict[str, Any]:
        app = notify_app(request)
        if not await app.store.requeue(delivery_id, now=app.now(), by=principal.staff_id):
            raise HTTPException(409, "Vain epävarman (unconfirmed) viestin voi lähettää uudelleen.")
        app.wake()
        return {"id": delivery_id, "status": "pending"}

    @r.get("/fanouts", summary="Announcements to many, with progress")
    async def list_fanouts(request: Request, principal: StaffPrincipal = staff) -> list[dict[str, Any]]:
        app = notify_app(request)
        out = []
        for f in await app.store.list_fanouts():
            out.append(await fanout_view(app, f))
        return out

    @r.get("/fanouts/{fanout_id:path}", summary="Progress of one fan-out")
    async def get_fanout(fanout_id: str, request: Request, principal: StaffPrincipal = staff) -> dict[str, Any]:
        app = notify_app(request)
        f = await app.store.fanout(fanout_id)
        if f is None:
            raise HTTPException(404, "Ei löytynyt. / Not found.")
        return await fanout_view(app, f)

    return r


async def fanout_view(app: NotifyApp, f: dict[str, Any]) -> dict[str, Any]:
    counts = await app.store.fanout_progress(f["_id"])
    return {
        "id": f["_id"],
        "kind": f["kind"],
        "topic": f["topic"],
        "title": f.get("title"),
        "status": f["status"],
        "created_at": f.get("created_at"),
        "expanded_at": f.get("expanded_at"),
        "queued": sum(counts.values()),
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "pending": counts.get("pending", 0),
        "skipped": counts.get("skipped", 0) + counts.get("cancelled", 0),
        "done": f["status"] == "expanded" and counts.get("pending", 0) == 0 and counts.get("sending", 0) == 0,
    }
