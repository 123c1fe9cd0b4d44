"""Which generation of the read models is active: one document (`reporting_meta`, `_id: "generation"`).

The generation the service reads and its live consumers write is named there; a replay builds a new generation
beside it and switches with one write to that document (see `koonto.reporting.replay`).
"""

from __future__ import annotations

from koonto.reporting.store.checkpoints import CHECKPOINT_PREFIX
from koonto.reporting.store.read_models import COLLECTION_PREFIX, ReadModels
from koonto.shared.clock import utcnow
from koonto.shared.mongo import DocumentLocks, Store

META_COLLECTION = "reporting_meta"
GENERATION_DOC = "generation"
INITIAL_GENERATION = "g0"


class Generations:
    """Which generation of the read models is active: one document, switched with one write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.meta = store[META_COLLECTION]
        self.steps = DocumentLocks()  # the per-case step locks, shared by every ReadModels handed out here

    async def ensure(self) -> str:
        # `rollups`: the active generation has month roll-ups, `recounts`: the funnel, duration and first-session
        # counters, `yearly`: the year documents (every generation this code creates has all three; one built
        # before them is read the old way, from its daily counters and cases, or by months, until a replay
        # rebuilds it)
        await self.meta.update_one(
            {"_id": GENERATION_DOC},
            {"$setOnInsert": {"active": INITIAL_GENERATION, "switched_at": utcnow(), "rollups": True,
                              "recounts": True, "yearly": True}},
            upsert=True,
        )
        return await self.active_name()

    async def active_name(self) -> str:
        doc = await self.meta.find_one({"_id": GENERATION_DOC})
        return str(doc["active"]) if doc else INITIAL_GENERATION

    async def active(self) -> ReadModels:
        doc = await self.meta.find_one({"_id": GENERATION_DOC})
        if not doc:
            return ReadModels(self.store, INITIAL_GENERATION, steps=self.steps)
        return ReadModels(self.store, str(doc["active"]), rollups=bool(doc.get("rollups")),
                          recounts=bool(doc.get("recounts")), yearly=bool(doc.get("yearly")), steps=self.steps)

    async def switch(self, generation: str) -> str:
        """Make `generation` the active one; returns the one it replaced."""
        before = await self.meta.find_one_and_update(
            {"_id": GENERATION_DOC},
            {"$set": {"active": generation, "switched_at": utcnow(), "rollups": True, "recounts": True,
                      "yearly": True}},
            upsert=True, after=False,
        )
        previous = str(before["active"]) if before else INITIAL_GENERATION
        await self.meta.update_one({"_id": GENERATION_DOC}, {"$set": {"previous": previous}})
        return previous

    async def drop_inactive(self) -> list[str]:
        """Drop the collections of every generation but the active one and the as-of checkpoints (frozen
        generations `asof…`, see `store.checkpoints`: an old report must stay reproducible after a rebuild)."""
        keep = (f"{COLLECTION_PREFIX}{await self.active_name()}_", f"{COLLECTION_PREFIX}{CHECKPOINT_PREFIX}")
        dropped = []
        for name in await self.store.db.list_collection_names():
            if name.startswith(COLLECTION_PREFIX) and not name.startswith(keep):
                await self.store.db.drop_collection(name)
                dropped.append(name)
        return sorted(dropped)
