"""The exactly-once guard of the counters (`store.read_models`, `store.compaction`) against the real store: a crash at
any write of applying events and compacting their markers, followed by a restart that redelivers every event and
compacts again, leaves every counter counted exactly once and no marker behind; a redelivery after the markers are
gone stops at the fact.

A crash is the process dying at its k-th store write, for every k of a crash-free run: either before the write is
sent (`before`) or after the store applied it and before the answer arrived (`after`, the worse case: the write
counts, the caller never knew)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from koonto.reporting.domain.model import idea_increments
from koonto.reporting.store import READ_MODELS, ReadModels
from koonto.reporting.store.compaction import compact
from koonto.reporting.store.read_models import MARKERS_AT
from koonto.shared.mongo import Collection, Store
from tests.support.stores import replica_stores

IDEA = "koonto.intake.idea-submitted.v1"
DAY = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
# three ideas, two of them on the same counters (the day's and the month's of Kuopio, and the theme "digi")
EVENTS = [("0190e0a0-0000-7000-8000-000000000001", "297", ("digi",)),
          ("0190e0a0-0000-7000-8000-000000000002", "297", ("digi", "youth")),
          ("0190e0a0-0000-7000-8000-000000000003", "140", ("digi",))]
WRITES = ("insert_one", "update_one", "update_many", "delete_one")


class Crash(Exception):
    """The process died here."""


@contextlib.contextmanager
def dying_at(k: int, mode: str) -> Iterator[list[int]]:
    """Every store write through `Collection` counted; the k-th one crashes (0: none does). Yields the count."""
    count = [0]
    inside: list[str] = []
    originals = {name: getattr(Collection, name) for name in WRITES}

    def wrapped(name: str) -> Any:
        original = originals[name]

        async def write(self: Collection, *args: Any, **kwargs: Any) -> Any:
            if inside:  # a write the adapter makes inside another (its upsert): part of that one
                return await original(self, *args, **kwargs)
            count[0] += 1
            if count[0] == k and mode == "before":
                raise Crash(f"write {k} ({name}) never sent")
            inside.append(name)
            try:
                result = await original(self, *args, **kwargs)
            except Exception:  # (a duplicate key: the store answered; the process dies before it hears it)
                if count[0] == k:
                    raise Crash(f"write {k} ({name}) refused, the process died first") from None
                raise
            finally:
                inside.pop()
            if count[0] == k:
                raise Crash(f"write {k} ({name}) applied, its answer lost")
            return result
        return write

    with pytest.MonkeyPatch.context() as patch:
        for name in WRITES:
            patch.setattr(Collection, name, wrapped(name))
        yield count


async def life(models: ReadModels) -> None:
    """What a replica does with these events: apply each, compact (no grace: the test is the only writer), then a
    redelivery of each after the markers are gone."""
    for event_id, municipality, themes in EVENTS:
        await models.apply(event_id, IDEA, idea_increments(DAY, municipality, themes))
    await compact(models, 0)
    for event_id, municipality, themes in EVENTS:
        assert not await models.apply(event_id, IDEA, idea_increments(DAY, municipality, themes))


async def counters(models: ReadModels) -> dict[str, dict[str, Any]]:
    return {str(d["_id"]): d for c in (models.counters, models.monthly, models.years) async for d in c.find({})}


@pytest.fixture
async def store(mongo_url: str, db_names: dict[str, str]) -> AsyncIterator[Store]:
    async with replica_stores(mongo_url, db_names["reporting"], 1) as stores:
        yield stores[0]


async def test_a_crash_at_any_write_then_a_restart_counts_every_event_once_and_leaves_no_marker(store: Store) -> None:
    clean = ReadModels(store, "clean")
    with dying_at(0, "before") as count:
        await life(clean)
    want, writes = await counters(clean), count[0]
    assert want["ideas|2026-11-03|297|"]["n"] == 2 and want["ideas_theme|2026-11|297|digi"]["n"] == 2
    assert want["ideas|2026|297|"]["n~"] == 2 and want["ideas_theme|2026|297|"]["n~digi"] == 2  # the year documents
    assert not [f for doc in want.values() for f in doc if f.startswith("e_")]
    assert writes > 3 * 4  # a fact, its counters and the fact again per event, then the compaction

    for mode in ("before", "after"):
        for k in range(1, writes + 1):
            models = ReadModels(store, f"k{k}{mode}")
            with dying_at(k, mode), pytest.raises(Crash):
                await life(models)
            await life(models)  # the restart: every event redelivered, the compaction run again
            assert await counters(models) == want, (mode, k)
            assert not await models.facts.count_documents({MARKERS_AT: {"$exists": True}}), (mode, k)
            for name in READ_MODELS:
                await store.db.drop_collection(f"rm_k{k}{mode}_{name}")


async def test_a_fact_left_pending_is_finished_by_the_compaction_and_its_markers_kept_for_the_grace(
    store: Store,
) -> None:
    """A delivery that died after its fact and one counter, and was never retried (dead-lettered): the next
    compaction pass past the grace period finishes it; its markers stay until a pass a grace period later."""
    models = ReadModels(store, "pending")
    event_id, municipality, themes = EVENTS[0]
    with dying_at(3, "before"), pytest.raises(Crash):  # the fact, the first counter; the second never written
        await models.apply(event_id, IDEA, idea_increments(DAY, municipality, themes))
    day = await models.counters.find_one({"_id": "ideas|2026-11-03|297|"})
    assert day is not None and day["n"] == 1
    assert await models.monthly.find_one({"_id": "ideas|2026-11|297|"}) is None

    fact = await models.facts.find_one({"_id": event_id})
    assert fact is not None and not fact["applied"]
    assert (await compact(models, 60_000, now_ms=fact[MARKERS_AT] + 59_000)).finished == 0  # within the grace
    done = await compact(models, 60_000, now_ms=fact[MARKERS_AT] + 61_000)
    assert done.finished == 1 and done.facts == 0
    month = await models.monthly.find_one({"_id": "ideas|2026-11|297|"})
    assert month is not None and month["n"] == 1 and any(f.startswith("e_") for f in month)
    fact = await models.facts.find_one({"_id": event_id})
    assert fact is not None and fact["applied"]

    assert (await compact(models, 60_000, now_ms=fact[MARKERS_AT] + 59_000)).facts == 0  # re-armed: not yet
    assert (await compact(models, 60_000, now_ms=fact[MARKERS_AT] + 61_000)).facts == 1
    assert not [f for doc in (await counters(models)).values() for f in doc if f.startswith("e_")]
    assert not await models.apply(event_id, IDEA, idea_increments(DAY, municipality, themes))
    day = await models.counters.find_one({"_id": "ideas|2026-11-03|297|"})
    assert day is not None and day["n"] == 1


async def test_one_compaction_write_per_counter_for_a_batch_of_events(store: Store) -> None:
    """The markers of many events on one counter go in one `$unset` per batch, not one per event."""
    models = ReadModels(store, "batched")
    for n in range(40):
        await models.apply(f"0190e0a0-0000-7000-9000-{n:012d}", IDEA, idea_increments(DAY, "297", ("digi",)))
    done = await compact(models, 0, batch=25)
    assert done.facts == 40
    # per batch: the day's and the month's counter of the idea and of its theme, and their two year documents
    assert done.counter_writes == 2 * 6
    day = await models.counters.find_one({"_id": "ideas|2026-11-03|297|"})
    assert day is not None and day["n"] == 40 and not [f for f in day if f.startswith("e_")]
