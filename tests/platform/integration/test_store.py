"""Store plumbing against the real MongoDB-protocol server: restart-safe indexes, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.errors import DuplicateKeyError

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
