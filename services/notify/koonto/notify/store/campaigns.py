"""Newsletter campaigns: the drafts staff compose, their schedule and their start. The start carries its
`newsletter-published` event in the campaign's embedded outbox (one write), and is a compare-and-set on the
campaign's status, named by `_id`, so a campaign starts once (the fan-out's own key keeps its deliveries once
per recipient even if two replicas both started it)."""

from __future__ import annotations

from datetime import datetime

from koonto.notify.store.listed import Listed
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Document, epoch_ms, revive
from koonto.shared.outbox import outbox_set

COLLECTION = "campaigns"


class Campaigns(Listed):
    COLLECTION = COLLECTION
    UNLISTED = "outbox"

    async def one(self, campaign_id: str) -> Document | None:
        return revive(await self.collection.find_one({"_id": campaign_id}, {"outbox": 0}))


    async def revise(self, campaign_id: str, fields: Document, now: datetime) -> bool:
        """A draft's content, audience and count; a scheduled or started campaign is not changed."""
        result = await self.collection.update_one(
            {"_id": campaign_id, "status": "draft"}, {"$set": {**fields, "updated_at": now}}
        )
        return result.modified_count == 1

    async def schedule(self, campaign_id: str, at: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": campaign_id, "status": "draft"},
            {"$set": {"status": "scheduled", "send_at": at, "send_at_ms": epoch_ms(at)}},
        )
        return result.modified_count == 1

    async def unschedule(self, campaign_id: str) -> bool:
        result = await self.collection.update_one(
            {"_id": campaign_id, "status": "scheduled"}, {"$set": {"status": "draft", "send_at": None}}
        )
        return result.modified_count == 1

    async def start(self, campaign_id: str, expected: str, now: datetime, event: Envelope) -> bool:
        """draft or scheduled -> sending, once, with its event."""
        result = await self.collection.update_one(
            {"_id": campaign_id, "status": expected},
            {"$set": {"status": "sending", "started_at": now, **outbox_set(event)}},
        )
        return result.modified_count == 1

    async def set_paused(self, campaign_id: str, paused: bool, now: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": campaign_id, "status": "sending"}, {"$set": {"paused": paused, "paused_changed_at": now}}
        )
        return result.modified_count == 1

    async def count_test(self, campaign_id: str) -> int:
        """The number of this test mail (each click sends one)."""
        doc = await self.collection.find_one_and_update({"_id": campaign_id}, {"$inc": {"tests": 1}})
        return int((doc or {}).get("tests") or 0) + 1

    async def due(self, now: datetime) -> list[Document]:
        cursor = self.collection.find({"status": "scheduled", "send_at_ms": {"$lte": epoch_ms(now)}}, {"outbox": 0})
        return [revive(d) async for d in cursor]

    async def sending(self) -> list[Document]:
        return [revive(d) async for d in self.collection.find({"status": "sending"}, {"outbox": 0})]
