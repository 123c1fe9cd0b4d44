"""Two notify replicas reading the same pending deliveries send each exactly once, on every supported store.

The claim is a unique-key insert per attempt (`store/deliveries.py:claim`), which FerretDB v1 enforces too; the
guarded `find_one_and_update` it replaced let both replicas win on FerretDB v1 (a digest went out twice in CI).
Each replica here has its own client and its own store adapter (its own per-document locks), so only what the
store server enforces keeps them apart. Runs on the default store (FerretDB v1 in CI) and on nx-27017."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from koonto.notify.store.deliveries import Deliveries
from koonto.shared.clock import utcnow
from tests.notify.integration.planned import planned_receipts
from tests.support.polling import eventually, stays
from tests.support.services import running
from tests.support.stores import replica_stores


async def test_two_replicas_claiming_the_same_read_at_once_give_each_delivery_one_winner(
    mongo_url: str, db_names: dict[str, str], notify_factory: Any
) -> None:
    await _claim_race(mongo_url, db_names["notify"], notify_factory)


async def test_the_same_claim_race_on_nx_27017(nx_mongo_url: str, nx_database: str, notify_factory: Any) -> None:
    await _claim_race(nx_mongo_url, nx_database, notify_factory)


async def _claim_race(url: str, database: str, notify_factory: Any) -> None:
    planner = notify_factory().container.planner  # only to build the documents; never started
    docs = planned_receipts(planner, 120, "kilpa")
    async with replica_stores(url, database) as (a, b):
        first, second = Deliveries(a), Deliveries(b)
        await first.add(docs)
        seen = [d async for d in first.queue.find({})]  # both replicas act on this one read
        now, lease = utcnow(), timedelta(seconds=30)
        results = await asyncio.gather(*[
            replica.claim(doc, now=now, lease=lease, owner=name)
            for doc in seen
            for replica, name in ((first, "replica-a"), (second, "replica-b"))
        ])
        winners = Counter(r["_id"] for r in results if r is not None)
        assert len(winners) == len(seen) and set(winners.values()) == {1}  # every delivery, and once each
        entries = {d["_id"]: d async for d in first.queue.find({})}
        assert {e["status"] for e in entries.values()} == {"sending"}
        assert {e["claim_n"] for e in entries.values()} == {1}
        owners = Counter(r["locked_by"] for r in results if r is not None)
        claims = {c["_id"]: c["owner"] async for c in first.claims.find({})}
        assert all(claims[f"{key}:1"] == entries[key]["locked_by"] for key in entries)  # the claim's winner holds it
        assert sum(owners.values()) == len(seen)


@pytest.mark.timeout(300)
async def test_two_running_replicas_send_every_mail_once(notify_factory: Any, mail_sink: Any) -> None:
    """Both delivery workers poll the same queue every 0.1 s and read overlapping batches."""
    settings = {"worker_batch": 50, "smtp_pool_size": 2, "worker_poll_seconds": 0.05}
    one, two = notify_factory(**settings), notify_factory(**settings)
    mails = 300
    async with running(one), running(two):
        docs = planned_receipts(one.container.planner, mails, "kaksi")
        for start in range(0, mails, 50):  # in pieces, so the two workers keep meeting on fresh batches
            await one.container.planner.enqueue(docs[start : start + 50])
            two.container.worker.wake()
            await asyncio.sleep(0.05)
        await eventually(lambda: _count(mail_sink), until=lambda n: n >= mails, timeout=240, interval=0.2,
                         what="every mail sent")
        await stays(lambda: _count(mail_sink), until=lambda n: n == mails, duration=2.0)
        logged = [d async for d in one.db["deliveries"].find({}, {"status": 1, "locked_by": 1})]
    recipients = Counter(to for m in mail_sink.messages for to in m["to"])
    assert len(recipients) == mails and set(recipients.values()) == {1}
    assert len(set(mail_sink.message_ids())) == mails
    assert len(logged) == mails and {d["status"] for d in logged} == {"sent"}


async def _count(sink: Any) -> int:
    return len(sink.messages)
