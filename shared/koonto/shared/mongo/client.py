"""PyMongo's async client (not motor), and readiness checks."""

from __future__ import annotations

import asyncio

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from koonto.shared.aio import within
from koonto.shared.mongo.values import Document


def make_client(
    url: str,
    *,
    server_selection_timeout_ms: int = 3000,
    connect_timeout_ms: int = 2000,
    socket_timeout_ms: int | None = None,
) -> AsyncMongoClient[Document]:
    """A client that gives up instead of hanging: no reachable server within `server_selection_timeout_ms` raises
    ServerSelectionTimeoutError, a connection not made within `connect_timeout_ms` fails, and a store that stops
    answering on an open connection (frozen, partitioned) raises NetworkTimeout after `socket_timeout_ms` (None:
    wait forever, for batch tools such as the replay). The services take all three from settings."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=server_selection_timeout_ms,
        connectTimeoutMS=connect_timeout_ms,
        socketTimeoutMS=socket_timeout_ms,
        appname="koonto",
    )


async def ping(db: AsyncDatabase[Document], timeout: float = 2.0) -> bool:
    try:
        await within(db.command("ping"), timeout)
    except (PyMongoError, TimeoutError, OSError):
        return False
    return True


async def wait_for_store(db: AsyncDatabase[Document], attempts: int = 60, delay: float = 1.0) -> None:
    for _ in range(attempts):
        if await ping(db):
            return
        await asyncio.sleep(delay)
    raise RuntimeError("the store did not answer")
