"""Documents a rebuild (`store.bulk`) keeps in memory across its windows: the case documents and the
first-session markers of the "associations advised" roll-ups.

A document is read from the store at most once: a miss is remembered as "does not exist" (None), since nobody else
writes the generation being rebuilt, until the cache outgrows its limit and is forgotten; after that a miss reads
the store again. A changed document is marked dirty and written once per window: inserted when new, replaced when
the store already holds it.
"""

from __future__ import annotations

from pymongo import InsertOne, ReplaceOne

from koonto.reporting.store.read_models import Document
from koonto.shared.mongo import Collection


class WindowCache:
    def __init__(self, collection: Collection, limit: int) -> None:
        self.collection = collection
        self.limit = limit
        self.docs: dict[str, Document | None] = {}  # None: known not to exist
        self.stored: set[str] = set()  # cached ids already in the store
        self.dirty: set[str] = set()  # changed in this window
        self.forgotten = False  # once evicted, a miss reads the store

    async def get(self, doc_id: str) -> Document | None:
        if doc_id in self.docs:
            return self.docs[doc_id]
        doc = await self.collection.find_one({"_id": doc_id}) if self.forgotten else None
        self.docs[doc_id] = doc
        if doc is not None:
            self.stored.add(doc_id)
        return doc

    def put(self, doc_id: str, doc: Document) -> Document:
        """`doc` is the document of `doc_id` now (changed in this window)."""
        self.docs[doc_id] = doc
        self.dirty.add(doc_id)
        return doc

    def touched(self) -> list[tuple[str, Document]]:
        """The documents changed in this window, in id order."""
        return [(doc_id, doc) for doc_id in sorted(self.dirty) if (doc := self.docs.get(doc_id)) is not None]

    def writes(self) -> list[InsertOne[Document] | ReplaceOne[Document]]:
        """This window's writes; the window starts afresh. Copies are written: the next window goes on changing the
        cached documents while these are on their way."""
        ops: list[InsertOne[Document] | ReplaceOne[Document]] = [
            ReplaceOne({"_id": doc_id}, dict(doc)) if doc_id in self.stored else InsertOne(dict(doc))
            for doc_id, doc in self.touched()
        ]
        self.stored.update(self.dirty)
        self.dirty = set()
        return ops

    def forget_if_full(self) -> bool:
        """Drop the cache when it outgrew its limit; True when the next window must read documents back."""
        if len(self.docs) <= self.limit:
            return False
        self.docs, self.stored = {}, set()
        self.forgotten = True
        return True
