"""Index creation that is safe to repeat on every store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from koonto.shared.mongo.values import Document

IndexSpec = Mapping[str, Sequence[IndexModel]]


async def ensure_indexes(db: AsyncDatabase[Document], spec: IndexSpec) -> None:
    """Create the indexes that are missing, by name or by key.

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
