"""`Store` and `Collection`: a service store's view of its database, with the store quirks handled once.

A `Collection` has the methods of PyMongo's async collection that the store subset allows, spelled out (no
`__getattr__` proxy, so what a store may use is visible here). Writes that name one document by `_id` hold that
document's lock for the write (see `locks.py`); reads go straight through. On a store that reads the whole
collection for a filter of `_id` plus guards (`Store.detect`), such a write is resolved by `_id` first
(`guards.py`). `raw` is PyMongo's collection, for the rare call that needs more (and says why where it is made).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from pymongo.results import DeleteResult, InsertManyResult, InsertOneResult, UpdateResult

from koonto.shared.mongo.guards import MISSING, Unsupported, by_id_first, matches
from koonto.shared.mongo.locks import DocumentLocks
from koonto.shared.mongo.values import Document

# fields of the embedded outbox (koonto.shared.outbox) that a use case never needs to see
OUTBOX_FIELDS = ("outbox", "outbox_pending", "outbox_rev", "outbox_written_ms")


NOTHING_UPDATED = UpdateResult({"n": 0, "nModified": 0, "ok": 1.0}, True)  # a guard that did not match
NOTHING_DELETED = DeleteResult({"n": 0, "ok": 1.0}, True)
R = TypeVar("R")


@dataclass
class Quirks:
    """What `Store.detect` learnt of the server, shared by a store's collections."""

    guards_scan: bool = False  # a filter of `_id` plus guards reads the whole collection (FerretDB v1)


class Collection:
    def __init__(self, raw: AsyncCollection[Document], locks: DocumentLocks, quirks: Quirks | None = None) -> None:
        self.raw = raw
        self.name = raw.name
        self.locks = locks
        self.quirks = quirks or Quirks()

    async def _resolved(self, filter: Mapping[str, Any], upsert: bool = False) -> Mapping[str, Any] | None:
        """The filter to write by: on a store whose guards scan, `{"_id": ...}` when the document matches `filter`
        and None when it does not; `filter` itself on any other store, for an upsert, and for a filter `guards`
        cannot decide. Called with the document's lock held."""
        if not self.quirks.guards_scan or upsert:
            return filter
        doc_id = by_id_first(filter)
        if doc_id is MISSING:
            return filter
        fields = {path.split(".")[0]: 1 for path in filter if not path.startswith("$")}
        current = await self.raw.find_one({"_id": doc_id}, fields)
        try:
            return {"_id": doc_id} if current is not None and matches(current, filter) else None
        except Unsupported:
            return filter

    def _hold(self, filter: Mapping[str, Any]) -> contextlib.AbstractAsyncContextManager[None]:
        doc_id = filter.get("_id")
        if doc_id is None or isinstance(doc_id, dict):
            return contextlib.nullcontext()
        return self.locks.hold(self.name, doc_id)

    @contextlib.asynccontextmanager
    async def holding(self, doc_id: Any) -> AsyncIterator[None]:
        """Hold one document's lock across several steps (a read that decides the following write)."""
        async with self.locks.hold(self.name, doc_id):
            yield

    # -- reads ---------------------------------------------------------------------------------------------
    def find(
        self, filter: Mapping[str, Any] | None = None, projection: Any = None, **kwargs: Any
    ) -> AsyncCursor[Document]:
        return self.raw.find(filter or {}, projection, **kwargs)

    async def find_one(
        self, filter: Mapping[str, Any] | None = None, projection: Any = None, **kwargs: Any
    ) -> Document | None:
        return await self.raw.find_one(filter or {}, projection, **kwargs)

    async def count_documents(self, filter: Mapping[str, Any], **kwargs: Any) -> int:
        return await self.raw.count_documents(filter, **kwargs)

    async def aggregate(self, pipeline: Sequence[Mapping[str, Any]], **kwargs: Any) -> list[Document]:
        return [doc async for doc in await self.raw.aggregate(list(pipeline), **kwargs)]

    async def distinct(self, key: str, filter: Mapping[str, Any] | None = None) -> list[Any]:
        return await self.raw.distinct(key, filter or {})

    # -- writes --------------------------------------------------------------------------------------------
    async def insert_one(self, document: Mapping[str, Any]) -> InsertOneResult:
        async with self._hold(document):
            return await self.raw.insert_one(dict(document))

    async def insert_new(self, document: Mapping[str, Any]) -> bool:
        """Inserts `document` unless one with the same unique key (its `_id` or a unique index) is there: True
        when it was new. Of any number of writers inserting the same key exactly one gets True."""
        try:
            await self.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def insert_many(self, documents: Sequence[Mapping[str, Any]], *, ordered: bool = True) -> InsertManyResult:
        return await self.raw.insert_many([dict(d) for d in documents], ordered=ordered)

    async def _write_one(
        self, filter: Mapping[str, Any], upsert: bool, nothing: R, write: Callable[[Mapping[str, Any]], Awaitable[R]]
    ) -> R:
        """`write(the filter to write by)` with the document's lock held; `nothing`, without writing, when
        `_resolved` found the document not matching the filter's guards."""
        async with self._hold(filter):
            resolved = await self._resolved(filter, upsert)
            return nothing if resolved is None else await write(resolved)

    async def update_one(
        self, filter: Mapping[str, Any], update: Mapping[str, Any], *, upsert: bool = False
    ) -> UpdateResult:
        return await self._write_one(
            filter, upsert, NOTHING_UPDATED, lambda by: self.raw.update_one(by, update, upsert=upsert)
        )

    async def update_many(self, filter: Mapping[str, Any], update: Mapping[str, Any]) -> UpdateResult:
        return await self.raw.update_many(filter, update)

    async def replace_one(
        self, filter: Mapping[str, Any], replacement: Mapping[str, Any], *, upsert: bool = False
    ) -> UpdateResult:
        return await self._write_one(
            filter, upsert, NOTHING_UPDATED, lambda by: self.raw.replace_one(by, replacement, upsert=upsert)
        )

    async def find_one_and_update(
        self, filter: Mapping[str, Any], update: Mapping[str, Any], *, upsert: bool = False, after: bool = True,
        keep_outbox: bool = False,
    ) -> Document | None:
        """The document after (or before) the update. The outbox fields are dropped here unless asked for:
        FerretDB v1 cannot project in `find_one_and_update`."""
        returned = ReturnDocument.AFTER if after else ReturnDocument.BEFORE
        doc = await self._write_one(
            filter,
            upsert,
            None,
            lambda by: self.raw.find_one_and_update(by, update, upsert=upsert, return_document=returned),
        )
        if doc is not None and not keep_outbox:
            for field in OUTBOX_FIELDS:
                doc.pop(field, None)
        return doc

    async def delete_one(self, filter: Mapping[str, Any]) -> DeleteResult:
        return await self._write_one(filter, False, NOTHING_DELETED, self.raw.delete_one)

    async def delete_many(self, filter: Mapping[str, Any]) -> DeleteResult:
        return await self.raw.delete_many(filter)


class Store:
    """A service's database: collections that share one set of document locks (the relay's writes too)."""

    def __init__(self, db: AsyncDatabase[Document], locks: DocumentLocks | None = None) -> None:
        self.db = db
        self.locks = locks or DocumentLocks()
        self.quirks = Quirks()
        self._collections: dict[str, Collection] = {}

    async def detect(self) -> Quirks:
        """Learns from the server what its collections must work around (the runtime calls it once the store
        answers; until then every write goes to the store as written, which is correct everywhere)."""
        info = await self.db.client.admin.command("buildInfo")
        self.quirks.guards_scan = "ferretdbVersion" in info
        return self.quirks

    def collection(self, name: str) -> Collection:
        if name not in self._collections:
            self._collections[name] = Collection(self.db[name], self.locks, self.quirks)
        return self._collections[name]

    def __getitem__(self, name: str) -> Collection:
        return self.collection(name)
