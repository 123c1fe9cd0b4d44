"""Store plumbing: PyMongo's async client (not motor), index creation, leases for once-only jobs.

Keeps to the subset that MongoDB 7+, FerretDB v1 and nx-27017 all support (see ARCHITECTURE.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

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
        await asyncio.wait_for(db.command("ping"), timeout)
    except (PyMongoError, TimeoutError, OSError):
        return False
    return True


async def ensure_indexes(db: AsyncDatabase[Document], spec: IndexSpec) -> None:
    """Create indexes idempotently (create_index on an existing identical index is a no-op)."""
    for collection, indexes in spec.items():
        if indexes:
            await db[collection].create_indexes(list(indexes))


async def wait_for_store(db: AsyncDatabase[Document], attempts: int = 60, delay: float = 1.0) -> None:
    for _ in range(attempts):
        if await ping(db):
            return
        await asyncio.sleep(delay)
    raise RuntimeError("the store did not answer")


class Leases:
    """A named lease held by one replica at a time: scheduled jobs run on the holder only.

    Correctness never rests on the lease alone: each job also marks what it did with a conditional
    single-document write, so two holders in a clock-skew overlap still do each thing once.
    """

    def __init__(self, collection: AsyncCollection[Document], owner: str) -> None:
        self.collection = collection
        self.owner = owner

    async def acquire(self, name: str, ttl: timedelta) -> bool:
        now = utcnow()
        try:
            doc = await self.collection.find_one_and_update(
                {"_id": name, "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + ttl, "renewed_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # somebody else holds it and it has not expired
        del doc
        return True

    async def release(self, name: str) -> None:
        await self.collection.delete_one({"_id": name, "owner": self.owner})
