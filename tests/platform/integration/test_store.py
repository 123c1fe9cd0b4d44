"""Store plumbing against the real MongoDB-protocol server: restart-safe indexes, leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.errors import DuplicateKeyError
from pymongo.results import UpdateResult

from koonto.shared.mongo import Leases, Store, ensure_indexes


async def test_indexes_are_created_once_and_a_restart_creates_them_again_safely(
    mongo: AsyncMongoClient[dict], db_names: dict[str, str]
) -> None:
    db = mongo[db_names["probe"]]
    spec = {"ideas": [IndexModel([("reference", ASCENDING)], name="reference", unique=True),
                      IndexModel([("municipality", ASCENDING), ("year", ASCENDING)], name="municipality_year")]}
    await ensure_indexes(db, spec)
    await ensure_indexes(db, spec)  # the second start of a service (FerretDB v1 panicked on this before)
    keys = [tuple(index["key"]) async for index in await db["ideas"].list_indexes()]
    assert keys.count(("reference",)) == 1 and keys.count(("municipality", "year")) == 1
    await db["ideas"].insert_one({"reference": "KOO-2026-0001"})
    with pytest.raises(DuplicateKeyError):
        await db["ideas"].insert_one({"reference": "KOO-2026-0001"})


async def test_a_lease_is_held_by_one_owner_until_it_expires(
    mongo: AsyncMongoClient[dict], db_names: dict[str, str]
) -> None:
    collection = mongo[db_names["probe"]]["leases"]
    first, second = Leases(collection, "replica-a"), Leases(collection, "replica-b")
    assert await first.acquire("reminders", timedelta(seconds=30))
    assert not await second.acquire("reminders", timedelta(seconds=30))
    assert await first.acquire("reminders", timedelta(seconds=30))  # renewal by the holder
    assert await first.acquire("reminders", timedelta(milliseconds=-1))  # renewed as already expired
    assert await second.acquire("reminders", timedelta(seconds=30))  # so the other replica takes over
    assert not await first.acquire("reminders", timedelta(seconds=30))
    await second.release("reminders")
    assert await first.acquire("reminders", timedelta(seconds=30))


async def test_insert_new_inserts_a_key_once_and_says_which_write_was_first(
    mongo: AsyncMongoClient[dict], db_names: dict[str, str]
) -> None:
    db = mongo[db_names["probe"]]
    await ensure_indexes(db, {"firings": [IndexModel([("slot", ASCENDING)], name="slot", unique=True)]})
    firings = Store(db)["firings"]
    assert await firings.insert_new({"_id": "reminder:f1:2026-03-02", "slot": "a"})
    assert not await firings.insert_new({"_id": "reminder:f1:2026-03-02", "slot": "b"})  # the same _id
    assert not await firings.insert_new({"_id": "reminder:f2:2026-03-02", "slot": "a"})  # a unique index
    assert [doc async for doc in firings.find({})] == [{"_id": "reminder:f1:2026-03-02", "slot": "a"}]


async def _guarded_writes(store: Store) -> list[object]:
    """A claim-like sequence of guarded single-document writes; what each returned, and the document after."""
    queue = store["queue"]
    now = datetime(2026, 12, 1, 8, 0, 0, 123456, tzinfo=UTC)
    # (times in filters are inserted ones: one store turns a datetime written by $set into text, values.py)
    await queue.insert_one({"_id": "k", "status": "pending", "due_at": now - timedelta(seconds=1), "context": {},
                            "locked_until": now})
    seen: list[object] = []
    claim = {"_id": "k", "status": "pending", "claim_n": {"$in": [0, None]}, "due_at": {"$lte": now}}
    won = await queue.find_one_and_update(
        claim, {"$set": {"status": "sending", "locked_by": "a", "claim_n": 1}, "$inc": {"attempts": 1}}
    )
    seen.append(won)
    seen.append(await queue.find_one_and_update(claim, {"$set": {"status": "sending", "locked_by": "b"}}))
    stale = await queue.update_one({"_id": "k", "locked_by": "b"}, {"$set": {"committing": True}})
    ours = await queue.update_one({"_id": "k", "locked_by": "a"}, {"$set": {"committing": True}})
    seen += [(stale.matched_count, stale.modified_count), (ours.matched_count, ours.modified_count)]
    back = await queue.update_one(
        {"_id": "k", "status": "sending", "locked_until": now},  # the microseconds the store does not keep
        {"$set": {"status": "pending"}, "$unset": {"committing": "", "locked_by": ""}},
    )
    seen.append(back.modified_count)
    seen.append(await queue.replace_one({"_id": "k", "status": "sending"}, {"status": "gone"}))
    seen.append((await queue.delete_one({"_id": "k", "status": "sending"})).deleted_count)
    seen.append(await queue.find_one({"_id": "k"}))
    seen.append((await queue.delete_one({"_id": "k", "status": "pending", "attempts": {"$gte": 1}})).deleted_count)
    seen.append(await queue.find_one({"_id": "k"}))
    return [s.matched_count if isinstance(s, UpdateResult) else s for s in seen]


async def test_guarded_writes_resolved_by_id_first_do_what_the_store_would(
    mongo: AsyncMongoClient[dict], db_names: dict[str, str]
) -> None:
    """On a store whose guards scan, `Collection` reads by `_id`, decides the guard itself and writes by `_id`: the
    same outcomes, document for document, as the store deciding the whole filter."""
    by_store = Store(mongo[db_names["probe"] + "-store"])
    by_id = Store(mongo[db_names["probe"] + "-byid"])
    by_id.quirks.guards_scan = True
    expected = await _guarded_writes(by_store)
    assert expected[0] is not None and expected[1] is None and expected[-1] is None  # the sequence means something
    assert await _guarded_writes(by_id) == expected
    detected = await Store(mongo[db_names["probe"]]).detect()
    info = await mongo.admin.command("buildInfo")
    assert detected.guards_scan is ("ferretdbVersion" in info)
