"""The key store on a real store: one key per person even when asked at once, destroyed for good, a new
generation for a person who turns up again (what was sealed before stays unreadable)."""

from __future__ import annotations

import asyncio

import pytest
from pymongo import AsyncMongoClient

from koonto.shared.mongo import Store, ensure_indexes
from koonto.shared.sealing import ERASED, SubjectKeys, email_subject
from koonto.shared.sealing.cipher import open_sealed, seal
from koonto.shared.sealing.keys import COLLECTION, INDEXES

pytestmark = pytest.mark.integration


async def test_one_key_per_person_destroyed_for_good_and_a_new_one_afterwards(
    mongo: AsyncMongoClient[dict], db_names: dict[str, str]
) -> None:
    db = mongo[db_names["intake"]]
    await ensure_indexes(db, {COLLECTION: list(INDEXES)})
    store = Store(db)
    one, other = SubjectKeys(store[COLLECTION], cache_seconds=0), SubjectKeys(store[COLLECTION], cache_seconds=0)
    maija = email_subject("Maija@Example.fi")
    answers = await asyncio.gather(*[k.key_for(maija) for k in (one, other) for _ in range(5)])
    assert len(set(answers)) == 1  # two replicas asking at once agree on the key
    kid, key = answers[0]
    assert "maija" not in kid and await other.key(kid) == key
    pekka_kid, pekka_key = await one.key_for(email_subject("pekka@example.fi"))
    sealed = seal(kid, key, "maija@example.fi")

    assert await one.destroy([maija]) == 1
    assert await other.key(kid) is None and open_sealed(sealed, await other.key(kid)) == ERASED
    assert await one.key(pekka_kid) == pekka_key
    renewed_kid, renewed = await other.key_for(maija)
    assert renewed_kid != kid and renewed != key and renewed_kid.split(".")[0] == kid.split(".")[0]
    assert open_sealed(sealed, renewed) == ERASED
    raw = [d async for d in db[COLLECTION].find({"_id": kid})]
    assert raw and "key" not in raw[0] and raw[0].get("destroyed_at")
