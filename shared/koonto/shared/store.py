"""Store plumbing: PyMongo's async client (not motor), index creation, leases for once-only jobs.

Keeps to the subset that MongoDB 7+, FerretDB v1 and nx-27017 all support (see ARCHITECTURE.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from koonto.shared.aio import within
from koonto.shared.clock import utcnow

Document = dict[str, Any]
IndexSpec = Mapping[str, Sequence[IndexModel]]


def make_client(url: str, *, timeout_ms: int = 5000) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        appname="koonto",
    )


async def ping(db: AsyncDatabase[Document], timeout: float = 2.0) -> bool:
    try:
        await within(db.command("ping"), timeout)
    except (PyMongoError, TimeoutError, OSError):
        return False
    return True


async def ensure_indexes(db: AsyncDatabase[Document], spec: IndexSpec) -> None:
    """Create the indexes that are missing, by name.

    Creating an index that already exists is a no-op on MongoDB, but FerretDB v1 panics on a repeated unique
    index and drops the connection, so existing names are skipped (a changed definition needs a new name).
    """
    for collection, indexes in spec.items():
        if not indexes:
            continue
        names: set[str] = set()
        keys: set[tuple[tuple[str, Any], ...]] = set()
        async for index in await db[collection].list_indexes():
            names.add(index["name"])
            keys.add(tuple(index["key"].items()))
        missing = [
            index for index in indexes
            if index.document["name"] not in names and tuple(index.document["key"].items()) not in keys
        ]
        if missing:
            await db[collection].create_indexes(missing)


async def wait_for_store(db: AsyncDatabase[Document], attempts: int = 60, delay: float = 1.0) -> None:
    for _ in range(attempts):
        if await ping(db):
            return
        await asyncio.sleep(delay)
    raise RuntimeError("the store did not answer")


def epoch_ms(moment: datetime | None = None) -> int:
    """Whole epoch milliseconds: the form of a time that every supported store compares correctly
    (nx-27017 0.8 turns a datetime written by `$set` into an existing document into a string)."""
    return int((moment or utcnow()).timestamp() * 1000)


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
