"""A person's own message (a receipt) is sent before a fan-out's mails queued ahead of it: `Deliveries.due` puts
deliveries without a `fanout_id` first, on every supported store (the default one, FerretDB v1 in CI, and
nx-27017), where a missing field must sort before a present one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from koonto.notify.store.deliveries import Deliveries
from koonto.shared.clock import utcnow
from tests.notify.integration.planned import planned_receipts
from tests.support.stores import replica_stores


async def test_own_messages_come_before_a_fan_out_queued_earlier(
    mongo_url: str, db_names: dict[str, str], notify_factory: Any
) -> None:
    await _order(mongo_url, db_names["notify"], notify_factory)


async def test_the_same_order_on_nx_27017(nx_mongo_url: str, nx_database: str, notify_factory: Any) -> None:
    await _order(nx_mongo_url, nx_database, notify_factory)


async def _order(url: str, database: str, notify_factory: Any) -> None:
    planner = notify_factory().container.planner  # only to build the documents; never started
    now = utcnow()
    bulk = planned_receipts(planner, 30, "fan", "call-1:announcement")
    for n, doc in enumerate(bulk):  # queued well before the receipts, oldest first
        doc["due_at"] = doc["created_at"] = now - timedelta(minutes=10) + timedelta(seconds=n)
    receipts = planned_receipts(planner, 3, "own")
    for n, doc in enumerate(receipts):
        doc["due_at"] = doc["created_at"] = now - timedelta(seconds=3 - n)
    later = planned_receipts(planner, 1, "later")
    later[0]["due_at"] = now + timedelta(hours=1)  # not due yet: never picked
    async with replica_stores(url, database, replicas=1) as [store]:
        deliveries = Deliveries(store)
        await deliveries.add(bulk + receipts + later)
        first = await deliveries.due(now, 5)
        assert [d["address"] for d in first] == [
            "own000@example.fi", "own001@example.fi", "own002@example.fi", "fan000@example.fi", "fan001@example.fi",
        ]
        everything = await deliveries.due(now, 100)
        assert len(everything) == 33 and [d["address"] for d in everything[3:]] == [d["address"] for d in bulk]
