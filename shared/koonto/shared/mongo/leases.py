"""Named leases: scheduled jobs run on the replica that holds one."""

from __future__ import annotations

from datetime import timedelta

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from koonto.shared.mongo.values import Document, epoch_ms


class Leases:
    """A named lease held by one replica at a time: scheduled jobs run on the holder only.

    Correctness never rests on the lease alone: each job also marks what it did with a conditional
    single-document write, so two holders in a clock-skew overlap still do each thing once.
    """

    def __init__(self, collection: AsyncCollection[Document], owner: str) -> None:
        self.collection = collection
        self.owner = owner

    async def acquire(self, name: str, ttl: timedelta) -> bool:
        now = epoch_ms()
        fields = {"owner": self.owner, "expires_ms": now + int(ttl.total_seconds() * 1000), "renewed_ms": now}
        # three plain steps instead of one `$or` filter next to `_id` (nx-27017 matches the wrong documents there)
        renewed = await self.collection.update_one({"_id": name, "owner": self.owner}, {"$set": fields})
        if renewed.matched_count:
            return True
        taken = await self.collection.update_one({"_id": name, "expires_ms": {"$lt": now}}, {"$set": fields})
        if taken.matched_count:
            return True
        try:
            await self.collection.insert_one({"_id": name, **fields})
        except DuplicateKeyError:
            return False  # somebody else holds it and it has not expired
        return True

    async def release(self, name: str) -> None:
        await self.collection.delete_one({"_id": name, "owner": self.owner})
