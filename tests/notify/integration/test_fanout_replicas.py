"""A fan-out expanded by two notify replicas at once (`store/fanouts.py:claim`): each subscriber queued once.

Two runtimes on one database are two replicas, each with its own store adapter and per-document locks. The
claim is a guarded `find_one_and_update` lease: on MongoDB and nx-27017 one replica holds a fan-out at a time, on
FerretDB v1 two may both "win" it and expand the same page. Neither decides who is sent what: every delivery is
a unique-key insert (the cause event, the address, the channel), so a page expanded twice queues each subscriber
once, and the cursor only moves past a page that was queued. This runs on the default store (FerretDB v1 in
CI) and on nx-27017. (Which replica *sends* a delivery is `store/deliveries.py:claim`, not asserted here.)"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from koonto.notify.store import subscriber_document
from koonto.shared.contracts.advisory import CallOpened
from tests.support.polling import eventually
from tests.support.samples import envelope
from tests.support.services import running

SUBSCRIBERS = 400


async def test_a_fanout_expanded_by_two_replicas_at_once_queues_each_subscriber_once(notify_factory) -> None:  # type: ignore[no-untyped-def]
    settings = {"fanout_batch": 20, "fanout_ahead": 10 * SUBSCRIBERS, "worker_batch": 100, "smtp_pool_size": 2}
    first, second = notify_factory(**settings), notify_factory(**settings)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    seed = [subscriber_document(f"tilaaja{i:04d}@example.fi", language="fi", municipality=None,
                                topic="call_announcements", consent=True, at=at, source="subscription-form")
            for i in range(SUBSCRIBERS)]
    call = envelope(CallOpened(call_id="c-2028", name="ESR+ 2028", funder="Itä-Suomen elinvoimakeskus",
                               opens_on=date(2027, 12, 1), closes_on=date(2028, 2, 15), description="Haku"))
    db = first.db
    async with running(first), running(second):
        await db["recipients"].insert_many(seed)
        await first.publisher(call.type, call.model_dump_json().encode(), call.id)
        fanout = await eventually(lambda: db["fanouts"].find_one({}), until=lambda f: bool(f) and
                                  f["status"] == "expanded", timeout=120, interval=0.1, what="fan-out expanded")
        queued = [d async for d in db["delivery_queue"].find({"fanout_id": fanout["_id"]}, {"address": 1})]
        logged = [d async for d in db["deliveries"].find({"fanout_id": fanout["_id"]}, {"address": 1})]

    # (a delivery being sent can be read in the queue and then in the log: count its id once)
    per_address = Counter(address for address, _ in {(d["address"], d["_id"]) for d in queued + logged})
    assert len(per_address) == SUBSCRIBERS  # nobody skipped
    assert set(per_address.values()) == {1}  # nobody queued twice
    assert fanout["scanned"] >= SUBSCRIBERS
