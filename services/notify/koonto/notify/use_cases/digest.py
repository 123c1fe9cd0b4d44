"""The daily digest to staff: the cases opened and the follow-ups received in the last day, at 08:00 Helsinki."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from koonto.notify.use_cases.core import Core
from koonto.notify.use_cases.planning import Planner
from koonto.shared.aio import every
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts import Envelope
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document

log = get_logger(__name__)

LEASE = "notify-daily-digest"


def digest_context(
    member: Document, day: date, cases: list[Document], followups: list[Document], workspace_url: str
) -> Document | None:
    """What one staff member's digest says, or None when there is nothing for them."""
    mine = [f for f in followups if member["staff_id"] in (f.get("recipient_staff_ids") or [])]
    if not cases and not mine:
        return None
    return {
        "name": member.get("display_name") or "",
        "day": day,
        "cases": [
            {k: c.get(k) for k in ("reference", "title", "organisation", "municipality", "opened_at")} for c in cases
        ],
        "followups": [{k: f.get(k) for k in ("reference", "due_on", "note")} for f in mine],
        "workspace_url": workspace_url,
    }


class Digest:
    def __init__(self, core: Core, planner: Planner) -> None:
        self.core = core
        self.settings = core.settings
        self.store = core.store
        self.planner = planner

    async def run(self) -> None:
        await every(self.settings.jobs_poll_seconds, self.if_due, log=log, failed="digest pass failed; will retry")

    async def if_due(self) -> int:
        """At or after 08:00 Helsinki, once a day across replicas: a lease picks one replica, and the digest's
        delivery keys (day, staff address) make a second run by anyone a no-op. Returns the messages planned."""
        now = self.core.now()
        local = now.astimezone(HELSINKI)
        if local.hour < self.settings.digest_hour:
            return 0
        day = local.date()
        records = self.store.records
        if await records.digest_started(day.isoformat()):
            return 0
        if not await self.core.infra.leases.acquire(LEASE, timedelta(minutes=5)):
            return 0
        until = datetime.combine(day, time(self.settings.digest_hour), tzinfo=HELSINKI)
        since = until - timedelta(days=1)
        cases = await records.cases_opened(since, until)
        followups = await records.followups_received(since, until)
        cause = Envelope(
            id=f"digest-{day.isoformat()}",
            source="/koonto/notify",
            type="koonto.notify.daily-digest.v1",
            subject=day.isoformat(),
            time=now,
            correlationid=f"digest-{day.isoformat()}",
            region=self.core.region.code,
            data={},
        )
        docs = []
        for member in await self.store.recipients.staff():
            context = digest_context(member, day, cases, followups, self.settings.advisory_public_url)
            if context is None:
                continue
            docs.append(
                self.planner.plan(
                    cause,
                    kind="staff-digest",
                    channel="email",
                    address=member["email"],
                    language=member.get("language") or "fi",
                    name=member.get("display_name"),
                    context=context,
                    recipient_ref=member["_id"],
                )
            )
        added = await self.planner.enqueue(docs)
        await records.claim_digest_day(day.isoformat(), self.core.owner, now)
        log.info("daily digest queued", day=day.isoformat(), messages=len(docs), new=added)
        return len(docs)
