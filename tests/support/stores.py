"""Store adapters of several replicas in one test process: each its own client (its own connections) and its own
`koonto.shared.mongo.Store` (its own per-document locks), on one database, so only what the store server itself
enforces keeps their writes apart, as between two processes behind a load balancer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pymongo import AsyncMongoClient

from koonto.shared.mongo import Store


@asynccontextmanager
async def replica_stores(url: str, database: str, replicas: int = 2) -> AsyncIterator[list[Store]]:
    clients: list[AsyncMongoClient[dict]] = [AsyncMongoClient(url, tz_aware=True) for _ in range(replicas)]
    try:
        stores = [Store(client[database]) for client in clients]
        for store in stores:
            await store.detect()  # as the runtime does: the same write paths as a running service
        yield stores
    finally:
        for client in clients:
            await client.close()
