"""The key store on a real store: one key per person even when asked at once, destroyed for good, a new
generation for a person who turns up again (what was sealed before stays unreadable)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from koonto.shared.mongo import Store, ensure_indexes
from koonto.shared.sealing import ERASED, SubjectKeys, email_subject
from koonto.shared.sealing.cipher import open_sealed, seal
from koonto.shared.sealing.keys import COLLECTION, INDEXES, KeyStoreClient, KeyStoreUnavailable
from tests.support.services import service_process, wait_http

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


async def test_the_other_services_client_reaches_intakes_key_store_over_one_connection_pool(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], tmp_path: Path
) -> None:
    token = "a-test-key-store-token-of-enough-length"
    env = {
        "KOONTO_NATS_URL": clean_stream, "KOONTO_MONGO_URL": mongo_url, "KOONTO_MONGO_DATABASE": db_names["intake"],
        "KOONTO_MODE": "test", "KOONTO_DATA_DIR": str(tmp_path / "data"), "KOONTO_KEY_STORE_TOKEN": token,
    }
    with service_process("intake", env=env, log_dir=tmp_path) as (_, base):
        wait_http(f"{base}/readyz", timeout=60)
        client = KeyStoreClient(base, token, cache_seconds=0)
        wrong = KeyStoreClient(base, "not-the-token", cache_seconds=0)
        try:
            kid, key = await client.key_for(email_subject("liisa@example.fi"))
            pool = client._http
            assert pool is not None
            assert await client.key(kid) == key
            assert await client.key_for(email_subject("liisa@example.fi")) == (kid, key)
            assert client._http is pool  # one client (its connection pool) for every call, not one per call
            assert await client.key("no-such-key.1") is None
            with pytest.raises(KeyStoreUnavailable):
                await wrong.key(kid)
        finally:
            await client.aclose()
            await wrong.aclose()
        assert client._http is None
