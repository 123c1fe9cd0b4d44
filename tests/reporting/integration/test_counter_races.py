"""Each event counted once on each counter when two reporting replicas apply at the same moment.

Two replicas are two store adapters on one database (`tests.support.stores.replica_stores`): each has its own
connections and its own per-document locks, so only the store server keeps their writes to one counter apart.
The guarded `$inc` (`ReadModels._increment_once`) needs a store that applies one document's update atomically
across connections: MongoDB and nx-27017 do, FerretDB v1 does not (lost `$inc`s, a guarded update matching for
two writers), so these run against the nx-27017 server beside the default store (`nx_mongo_url`). On FerretDB
v1 reporting runs as one replica, whose adapter serialises the writes to one counter."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from koonto.reporting.domain.model import idea_increments
from koonto.reporting.store.read_models import ReadModels, event_marker
from tests.support.stores import replica_stores

IDEA = "koonto.intake.idea-submitted.v1"
DAY = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


async def test_the_same_event_delivered_to_two_replicas_at_once_counts_once(
    nx_mongo_url: str, nx_database: str
) -> None:
    """A redelivery running next to the first delivery on another replica: 60 events, each applied by both
    replicas at the same moment, each on counters of its own (so nothing but the two deliveries of one event
    meet on a counter)."""
    async with replica_stores(nx_mongo_url, nx_database) as stores:
        first, second = (ReadModels(store, "g1") for store in stores)
        events = {f"0190e0a0-0000-7000-8000-{n:012d}": f"m{n:03d}" for n in range(60)}
        applied = await asyncio.gather(*(
            models.apply(event_id, IDEA, idea_increments(DAY, municipality, ("digi",)))
            for event_id, municipality in events.items() for models in (first, second)
        ))
        daily = {d["municipality"]: d async for d in first.counters.find({"metric": "ideas"})}
        monthly = {d["municipality"]: d async for d in first.monthly.find({"metric": "ideas_theme"})}
        facts = [d async for d in first.facts.find({})]

    assert {m: d["n"] for m, d in daily.items()} == dict.fromkeys(events.values(), 1)
    assert {m: d["n"] for m, d in monthly.items()} == dict.fromkeys(events.values(), 1)
    for event_id, municipality in events.items():  # each counter names the one event it was made of
        assert event_marker(event_id) in daily[municipality]
    assert len(facts) == 60 and all(f["applied"] for f in facts)
    assert applied.count(True) >= 60  # every event was applied by at least one of its two deliveries


async def test_many_events_for_one_counter_on_two_replicas_at_once_all_count(
    nx_mongo_url: str, nx_database: str
) -> None:
    """200 different ideas of one day and municipality, half on each replica, all at once: one counter (and its
    month roll-up, and the theme's) gets every one of them, and names each."""
    async with replica_stores(nx_mongo_url, nx_database) as stores:
        replicas = [ReadModels(store, "g1") for store in stores]
        event_ids = [f"0190e0a0-0000-7000-9000-{n:012d}" for n in range(200)]
        await asyncio.gather(*(
            replicas[n % 2].apply(event_id, IDEA, idea_increments(DAY, "297", ("digi",)))
            for n, event_id in enumerate(event_ids)
        ))
        day = await replicas[0].counters.find_one({"_id": "ideas|2026-11-03|297|"})
        theme = await replicas[1].counters.find_one({"_id": "ideas_theme|2026-11-03|297|digi"})
        month = await replicas[0].monthly.find_one({"_id": "ideas|2026-11|297|"})

    for counter in (day, theme, month):
        assert counter is not None
        assert counter["n"] == 200
        assert all(event_marker(event_id) in counter for event_id in event_ids)
