"""Per-document write serialisation inside one process.

Why: FerretDB v1 does not apply a single-document update atomically when two connections update the same
document at once (measured: concurrent `$inc`s are lost, two conditional `find_one_and_update`s both "win").
MongoDB and nx-27017 are atomic here; on FerretDB this makes one replica correct. Guarantees that must hold
across replicas rest on unique-key inserts, which are atomic on all three stores.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from typing import Any


class DocumentLocks:
    """Striped asyncio locks: one write at a time per (collection, document id) within this process.

    Striped rather than one lock per id: a fixed, small amount of memory whatever the number of documents;
    two documents that share a stripe only wait for each other's single write."""

    def __init__(self, stripes: int = 256) -> None:
        self._locks = [asyncio.Lock() for _ in range(stripes)]

    def _stripe(self, collection: str, doc_id: Any) -> asyncio.Lock:
        return self._locks[zlib.crc32(f"{collection}/{doc_id}".encode()) % len(self._locks)]

    @contextlib.asynccontextmanager
    async def hold(self, collection: str, doc_id: Any) -> AsyncIterator[None]:
        async with self._stripe(collection, doc_id):
            yield
