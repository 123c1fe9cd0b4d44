"""Fan-outs: one announcement to every consenting subscriber, expanded in batches under a lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from koonto.notify.store.listed import Listed
from koonto.shared.mongo import Document

COLLECTION = "fanouts"


class Fanouts(Listed):
    COLLECTION = COLLECTION
    UNLISTED = "context"

    async def claim(self, *, now: datetime, lease: timedelta, owner: str) -> Document | None:
        return await self.collection.find_one_and_update(
            {
                "status": "expanding",
                "paused": {"$in": [False, None]},  # not paused (None: also a fan-out from before pausing existed)
                "$or": [{"locked_until": {"$exists": False}}, {"locked_until": {"$lt": now}}, {"locked_by": owner}],
            },
            {"$set": {"locked_until": now + lease, "locked_by": owner}},
        )

    async def advance(self, fanout_id: str, owner: str, *, cursor: str, scanned: int, queued: int) -> None:
        await self.collection.update_one(
            {"_id": fanout_id, "locked_by": owner},
            {"$set": {"cursor": cursor}, "$inc": {"scanned": scanned, "queued": queued}},
        )

    async def finish(self, fanout_id: str, owner: str, now: datetime) -> None:
        await self.collection.update_one(
            {"_id": fanout_id, "locked_by": owner},
            {"$set": {"status": "expanded", "expanded_at": now}, "$unset": {"locked_until": "", "locked_by": ""}},
        )

    async def release(self, fanout_id: str, owner: str) -> None:
        await self.collection.update_one(
            {"_id": fanout_id, "locked_by": owner}, {"$unset": {"locked_until": "", "locked_by": ""}}
        )

    async def set_paused(self, fanout_id: str, paused: bool) -> bool:
        result = await self.collection.update_one({"_id": fanout_id}, {"$set": {"paused": paused}})
        return result.matched_count == 1

    async def paused_among(self, fanout_ids: set[str]) -> set[str]:
        cursor = self.collection.find({"_id": {"$in": sorted(fanout_ids)}, "paused": True}, {"_id": 1})
        return {d["_id"] async for d in cursor}

    async def one(self, fanout_id: str) -> Document | None:
        return await self.collection.find_one({"_id": fanout_id})

