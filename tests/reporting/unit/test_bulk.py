"""store.bulk on the in-memory store: a rebuild folded in memory and written in windows leaves the very documents
the live path leaves once its markers are compacted (`store.compaction`), for a stream with duplicates, events
ahead of their case and cases that never come."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import InsertOne, ReplaceOne, UpdateOne

from koonto.reporting.store import BulkReadModels, ReadModels
from koonto.reporting.store.compaction import compact
from koonto.reporting.use_cases.projection import apply_event
from tests.reporting.recounts import COMPARED, comparable
from tests.reporting.synthetic import stream
from tests.reporting.unit.memory import read_models
from tests.support.memory import MemoryCollection


async def one_by_one(self: MemoryCollection, operations: list[Any], ordered: bool = True) -> None:
    """bulk_write as its operations one after another (mongomock's own does not take PyMongo 4.9's operations)."""
    for op in operations:
        if isinstance(op, InsertOne):
            await self.insert_one(op._doc)
        elif isinstance(op, UpdateOne):
            await self.update_one(op._filter, op._doc, upsert=bool(op._upsert))
        else:
            assert isinstance(op, ReplaceOne)
            await self.replace_one(op._filter, op._doc, upsert=bool(op._upsert))


async def documents(models: ReadModels) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in COMPARED:
        out[name] = comparable({d["_id"]: d async for d in getattr(models, name).find({})})
    return out


async def rebuild(models: ReadModels, events: list[Any], **limits: int) -> BulkReadModels:
    bulk = BulkReadModels(models.store, "g-bulk", **limits)
    for start in range(0, len(events), 40):
        batch = events[start:start + 40]
        await bulk.known_facts(e.id for e in batch)
        for env in batch:
            await apply_event(bulk, env)
        await bulk.flush()
    await bulk.flush(final=True)
    return bulk


async def test_a_bulk_rebuild_leaves_the_documents_of_the_live_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemoryCollection, "bulk_write", one_by_one)
    events = stream(400, seed=5, run="unit")
    assert len(events) > len({e.id for e in events})  # duplicates in the stream
    live = await read_models()
    for env in events:
        await apply_event(live, env)
    compacted = await compact(live, 0)  # the live path's markers, once removed, leave the rebuild's documents
    assert compacted.facts == await live.facts.count_documents({}) and compacted.finished == 0
    want = await documents(live)
    assert not [f for docs in want.values() for d in docs.values() for f in d if f.startswith("e_")]
    assert want["parked"], "some cases never come"
    for limits in ({}, {"max_cases": 20, "max_parked": 5, "max_seen": 30}):
        bulk = await rebuild(live, events, **limits)
        got = await documents(ReadModels(live.store, bulk.generation))
        assert got == want, limits
        for name in ("facts", *COMPARED):
            await getattr(bulk, name).delete_many({})  # the next rebuild starts from an empty generation
