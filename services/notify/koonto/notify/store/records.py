"""What notify keeps from other services' events (scheduled events, copies of cases and follow-ups for the
digest), the digest days, and the suppression list."""

from __future__ import annotations

from datetime import datetime

from koonto.notify.domain.keys import address_hash
from koonto.notify.domain.values import jsonable
from koonto.shared.mongo import Document, Store, epoch_ms


class Records:
    def __init__(self, store: Store) -> None:
        self.scheduled_events = store["scheduled_events"]
        self.case_copies = store["case_copies"]
        self.followups = store["followups"]
        self.digests = store["digests"]
        self.suppressions = store["suppressions"]

    # -- scheduled events, case copies, follow-ups -----------------------------------------------------------
    async def remember_scheduled_event(self, event_id: str, fields: Document) -> None:
        starts_ms = {"starts_ms": epoch_ms(fields["starts_at"])} if fields.get("starts_at") else {}
        await self.scheduled_events.update_one(
            {"_id": event_id}, {"$set": {**jsonable(fields), **starts_ms}}, upsert=True
        )

    async def events_to_remind(self, now_ms: int, until_ms: int) -> list[Document]:
        """Events starting in (now, until] whose registrants have not been reminded yet."""
        cursor = self.scheduled_events.find(
            {"starts_ms": {"$gt": now_ms, "$lte": until_ms}, "reminded_ms": None}
        )
        return [d async for d in cursor]

    async def mark_reminded(self, event_id: str, at_ms: int) -> None:
        await self.scheduled_events.update_one({"_id": event_id}, {"$set": {"reminded_ms": at_ms}})

    async def scheduled_event(self, event_id: str) -> Document | None:
        return await self.scheduled_events.find_one({"_id": event_id})

    async def keep_case(self, case_id: str, fields: Document) -> None:
        await self.case_copies.update_one({"_id": case_id}, {"$set": fields}, upsert=True)

    async def cases_opened(self, since: datetime, until: datetime) -> list[Document]:
        cursor = self.case_copies.find({"opened_at": {"$gte": since, "$lt": until}}).sort("opened_at", 1)
        return [d async for d in cursor]

    async def keep_followup(self, followup_id: str, fields: Document) -> None:
        await self.followups.update_one({"_id": followup_id}, {"$set": fields}, upsert=True)

    async def followups_received(self, since: datetime, until: datetime) -> list[Document]:
        cursor = self.followups.find({"received_at": {"$gte": since, "$lt": until}}).sort("received_at", 1)
        return [d async for d in cursor]

    # -- the daily digest ------------------------------------------------------------------------------------
    async def claim_digest_day(self, day: str, owner: str, at: datetime) -> bool:
        """The conditional write that makes a day's digest happen once across replicas."""
        return await self.digests.insert_new({"_id": day, "owner": owner, "started_at": at})

    async def digest_started(self, day: str) -> bool:
        return await self.digests.find_one({"_id": day}, {"_id": 1}) is not None

    # -- suppression list ------------------------------------------------------------------------------------
    async def suppress(self, channel: str, address: str, reason: str, at: datetime) -> None:
        await self.suppressions.update_one(
            {"_id": f"{channel}:{address_hash(channel, address)}"},
            {"$setOnInsert": {"channel": channel, "reason": reason[:500], "at": at}},
            upsert=True,
        )

    async def is_suppressed(self, channel: str, address: str) -> bool:
        return await self.suppressions.find_one({"_id": f"{channel}:{address_hash(channel, address)}"}) is not None

    async def suppressed_among(self, keys: list[str]) -> set[str]:
        """Which of these `channel:address_hash` keys are suppressed (one query for a batch)."""
        return {s["_id"] async for s in self.suppressions.find({"_id": {"$in": keys}}, {"_id": 1})}
