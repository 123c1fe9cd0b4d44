"""Per-document write serialisation inside one process, and an outbox relay that takes part in it.

Why: FerretDB v1 (the CI store) does not apply a single-document update atomically when two connections
update the same document at once (measured: concurrent `$inc`s are lost, two conditional
`find_one_and_update`s both "win"). The relay clearing a published outbox entry right after a request wrote
the case would then write back the case as it was, losing the request's change. MongoDB and nx-27017 are
atomic here; on FerretDB this makes one replica correct, and the once-only guarantees that matter across
replicas (opening a case, firing a reminder) rest on unique-key inserts, which are atomic on all three.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from koonto.shared.outbox import OutboxRelay, Publisher

Document = dict[str, Any]


class DocumentLocks:
    """One asyncio lock per (collection, document id), dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, Any], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, collection: str, doc_id: Any) -> AsyncIterator[None]:
        key = (collection, doc_id)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class LockedCollection:
    """The shared relay's view of an outbox collection: its writes take the document's lock, so the shared
    `OutboxRelay` runs unchanged and still never interleaves with this process's own writes to a document."""

    def __init__(self, collection: AsyncCollection[Document], locks: DocumentLocks) -> None:
        self._collection = collection
        self._locks = locks
        self.name = collection.name

    def find(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.find(*args, **kwargs)

    async def count_documents(self, *args: Any, **kwargs: Any) -> int:
        return await self._collection.count_documents(*args, **kwargs)

    async def update_one(self, filter: Document, update: Document, **kwargs: Any) -> Any:
        async with self._locks.hold(self.name, filter.get("_id")):
            if filter.get("outbox") == {}:
                # the relay clears the pending flag "if the outbox is empty"; nx-27017 matches `{}` against any
                # sub-document, which would strand a just-written event, so the condition is checked here
                current = await self._collection.find_one({"_id": filter.get("_id")}, {"outbox": 1})
                if current is not None and current.get("outbox"):
                    return None
            return await self._collection.update_one(filter, update, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


def locking_relay(
    service: str,
    collections: Sequence[AsyncCollection[Document]],
    publish: Publisher,
    *,
    locks: DocumentLocks,
    poll_seconds: float,
) -> OutboxRelay:
    wrapped: list[Any] = [LockedCollection(c, locks) for c in collections]
    return OutboxRelay(service, wrapped, publish, poll_seconds=poll_seconds)
