"""PyMongo's async client (not motor), and readiness checks."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from koonto.shared.aio import within

Document = dict[str, Any]


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


async def wait_for_store(db: AsyncDatabase[Document], attempts: int = 60, delay: float = 1.0) -> None:
    for _ in range(attempts):
        if await ping(db):
            return
        await asyncio.sleep(delay)
    raise RuntimeError("the store did not answer")
