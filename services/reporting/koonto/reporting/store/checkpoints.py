"""Checkpoints of the read models for as-of reports: a frozen generation per stream position.

A checkpoint is a read-model generation (the same collections, `rm_asof…_<name>`, read by the same report code)
holding exactly the events of the stream up to one sequence, and never written again: the live consumers write
only the active generation, and a replay (`drop_inactive`) keeps every `asof` generation. The registry,
collection `asof_checkpoints`, maps an as-of day to its checkpoint: `{_id: "2026-09-30", generation, sequence,
moment, built_at}`. Several days with no event between them share one generation.

Why checkpoints and not per-day counters keyed by the day an event was recorded: the counters a late event
moves (the funnel, the durations, associations advised: `store.recounts`) are decided by a case's earliest
dates, so "as recorded by day D" would need every such move dated by the stream time of the event that caused
it, through the live path, the bulk replay and the parked events alike. A checkpoint reuses the projection as it
is; what it costs is the copy of the nearest earlier checkpoint (the size of the read models, whose counters
carry no event markers: `store.compaction`; plus one small fact per event) plus the events recorded between the
two (see `use_cases.as_of`). It is built once per day, ahead by the `jobs.build_checkpoints` job for each ended
day, or by the first request for a day without one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from pymongo.errors import DuplicateKeyError

from koonto.reporting.store.read_models import COLLECTION_PREFIX, ReadModels
from koonto.shared.clock import utcnow
from koonto.shared.mongo import DocumentLocks, Store, instant, parse_instant

CHECKPOINTS = "asof_checkpoints"
CHECKPOINT_PREFIX = "asof"  # generation names: kept by `Generations.drop_inactive`
COPY_BATCH = 1000
FACT_FIELDS = {"_id": 1}  # all a checkpoint's facts are read for: which events it holds


@dataclass(frozen=True)
class Checkpoint:
    day: date
    generation: str
    sequence: int
    moment: datetime
    yearly: bool = True  # it holds the year documents (False: built before them, or on a checkpoint without)


def checkpoint_generation(day: date) -> str:
    return f"{CHECKPOINT_PREFIX}{day:%Y%m%d}x{secrets.token_hex(3)}"


def _checkpoint(doc: dict[str, object]) -> Checkpoint:
    moment = parse_instant(str(doc["moment"]))
    assert moment is not None
    return Checkpoint(date.fromisoformat(str(doc["_id"])), str(doc["generation"]), int(str(doc["sequence"])),
                      moment, bool(doc.get("yearly")))


class Checkpoints:
    def __init__(self, store: Store, steps: DocumentLocks | None = None) -> None:
        self.store = store
        self.registry = store[CHECKPOINTS]
        self.steps = steps

    def models(self, generation: str, yearly: bool = True) -> ReadModels:
        """The read models of a checkpoint (every checkpoint has roll-ups and recounts: this code builds them; the
        year documents only when `yearly`: one built before them, or copied from one, is read by months)."""
        return ReadModels(self.store, generation, rollups=True, recounts=True, yearly=yearly, steps=self.steps)

    async def of_day(self, day: date) -> Checkpoint | None:
        doc = await self.registry.find_one({"_id": day.isoformat()})
        return _checkpoint(doc) if doc else None

    async def latest_upto(self, sequence: int) -> Checkpoint | None:
        """The checkpoint with the highest stream position not past `sequence` (the base to build on)."""
        docs = self.registry.find({"sequence": {"$lte": sequence}}).sort([("sequence", -1), ("_id", -1)]).limit(1)
        found = [d async for d in docs]
        return _checkpoint(found[0]) if found else None

    async def register(
        self, day: date, generation: str, sequence: int, moment: datetime, yearly: bool = True
    ) -> Checkpoint:
        """Record the checkpoint of `day`; when another replica recorded one first, that one (the caller drops
        its own generation if it differs)."""
        doc = {"_id": day.isoformat(), "generation": generation, "sequence": sequence, "moment": instant(moment),
               "built_at": instant(utcnow()), "yearly": yearly}
        try:
            await self.registry.insert_one(doc)
        except DuplicateKeyError:
            existing = await self.of_day(day)
            assert existing is not None
            return existing
        return Checkpoint(day, generation, sequence, moment, yearly)

    async def copy(self, source: str, target: str) -> None:
        """Every read-model collection of generation `source` into `target` (documents as they are, in batches; of
        the facts only which events they are, all a build on top of the copy looks up: `BulkReadModels.resume`)."""
        prefix = f"{COLLECTION_PREFIX}{source}_"
        for name in sorted(await self.store.db.list_collection_names()):
            if not name.startswith(prefix):
                continue
            model = name[len(prefix):]
            into = self.store[f"{COLLECTION_PREFIX}{target}_{model}"]
            batch: list[dict[str, object]] = []
            async for doc in self.store[name].find({}, FACT_FIELDS if model == "facts" else None):
                batch.append(doc)
                if len(batch) >= COPY_BATCH:
                    await into.insert_many(batch, ordered=False)
                    batch = []
            if batch:
                await into.insert_many(batch, ordered=False)

    async def drop(self, generation: str) -> None:
        prefix = f"{COLLECTION_PREFIX}{generation}_"
        for name in await self.store.db.list_collection_names():
            if name.startswith(prefix):
                await self.store.db.drop_collection(name)
