"""What the staff pages list newest first (fan-outs, newsletter campaigns): one collection of documents keyed by
`_id`, created once, listed without the fields no page shows."""

from __future__ import annotations

from typing import ClassVar

from pymongo import DESCENDING

from koonto.shared.mongo import Document, Store, revive


class Listed:
    COLLECTION: ClassVar[str]
    UNLISTED: ClassVar[str]  # a field the list leaves out (large, and for the machinery only)

    def __init__(self, store: Store) -> None:
        self.collection = store[self.COLLECTION]

    async def create(self, doc: Document) -> bool:
        """False when a document with its `_id` exists already."""
        return await self.collection.insert_new(doc)

    async def newest(self, limit: int = 50) -> list[Document]:
        cursor = self.collection.find({}, {self.UNLISTED: 0}).sort("created_at", DESCENDING).limit(limit)
        return [revive(d) async for d in cursor]
