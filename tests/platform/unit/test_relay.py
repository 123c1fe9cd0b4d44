"""The one outbox relay, on the in-memory store: both layouts, the fast path, bulk markers, NATS away."""

from __future__ import annotations

import pytest

from koonto.shared.outbox import PUBLISHED, OutboxRelay, event_field, outbox_fields, outbox_set
from tests.support.memory import RecordingPublisher, memory_infra, published
from tests.support.samples import envelope, idea_submitted

pytestmark = pytest.mark.unit


class ScanCounter:
    """Counts the relay's scans (`drain_once` calls); `restore()` puts the plain method back."""

    def __init__(self, relay: OutboxRelay) -> None:
        self.n = 0
        self.relay = relay
        self.drain = relay.drain_once

        async def counted() -> int:
            self.n += 1
            return await self.drain()

        relay.drain_once = counted  # type: ignore[method-assign]

    def restore(self) -> None:
        self.relay.drain_once = self.drain  # type: ignore[method-assign]


async def test_embedded_outbox_events_are_published_once_in_order_and_cleared() -> None:
    infra = memory_infra(outbox_collections=["things"])
    first, second = envelope(idea_submitted(title="one")), envelope(idea_submitted(title="two"))
    await infra.store["things"].insert_one({"_id": "a", "state": "new", **outbox_fields(first)})
    await infra.store["things"].update_one({"_id": "a"}, {"$set": {"state": "changed", **outbox_set(second)}})
    assert [e.id for e in await published(infra)] == [first.id, second.id]
    assert await published(infra) == []  # nothing twice
    doc = await infra.store["things"].find_one({"_id": "a"})
    assert doc is not None and doc["state"] == "changed" and not doc.get("outbox") and "outbox_pending" not in doc
    assert await infra.store[PUBLISHED].count_documents({}) == 0  # markers go with the entries
    assert await infra.relay.pending() == 0


async def test_fast_path_publishes_what_it_is_handed_and_the_scan_skips_it() -> None:
    infra = memory_infra(outbox_collections=["things"])
    env = envelope(idea_submitted())
    await infra.store["things"].insert_one({"_id": "a", **outbox_fields(env)})
    infra.events_written(env)
    assert await infra.relay.publish_committed() == 1
    assert await infra.store[PUBLISHED].count_documents({}) == 1  # recorded, so a scan elsewhere skips it
    assert await infra.relay.drain_once() == 0
    publisher = infra.publisher
    assert isinstance(publisher, RecordingPublisher) and [e.id for e in publisher.envelopes] == [env.id]


async def test_markers_of_a_batch_are_written_in_one_insert() -> None:
    infra = memory_infra(outbox_collections=["things"])
    envs = [envelope(idea_submitted(title=f"t{i}")) for i in range(5)]
    for i, env in enumerate(envs):
        await infra.store["things"].insert_one({"_id": f"d{i}", **outbox_fields(env)})
    calls: list[int] = []
    insert_many = infra.relay.published.insert_many

    async def counting(documents, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(documents))
        return await insert_many(documents, **kwargs)

    infra.relay.published.insert_many = counting  # type: ignore[method-assign]
    infra.relay.sources[0].quiet_ms = 60_000  # type: ignore[attr-defined]  # keep the entries: markers stay
    assert await infra.relay.drain_once() == 5
    assert calls == [5]


async def test_event_field_documents_are_published_and_marked_in_one_write() -> None:
    infra = memory_infra(event_collections=["deliveries"])
    envs = [envelope(idea_submitted(title=f"t{i}")) for i in range(3)]
    for i, env in enumerate(envs):
        await infra.store["deliveries"].insert_one({"_id": f"d{i}", "status": "sent", **event_field(env)})
    assert [e.id for e in await published(infra)] == [e.id for e in envs]
    assert await infra.store["deliveries"].count_documents({"event_pending": True}) == 0
    assert await published(infra) == []


async def test_nats_away_loses_nothing_and_publishes_when_it_is_back() -> None:
    infra = memory_infra(outbox_collections=["things"])
    publisher = infra.publisher
    assert isinstance(publisher, RecordingPublisher)
    publisher.fail = True
    env = envelope(idea_submitted())
    await infra.store["things"].insert_one({"_id": "a", **outbox_fields(env)})
    infra.events_written(env)
    with pytest.raises(ConnectionError):
        await infra.relay.publish_committed()
    with pytest.raises(ConnectionError):
        await infra.relay.drain_once()
    assert await infra.relay.pending() == 1
    publisher.fail = False
    assert [e.id for e in await published(infra)] == [env.id]
    assert await infra.relay.pending() == 0


async def test_writes_to_one_document_are_serialised_and_the_relay_shares_the_locks() -> None:
    import asyncio

    infra = memory_infra(outbox_collections=["things"])
    things = infra.store["things"]
    order: list[str] = []
    async with things.holding("a"):
        writer = asyncio.create_task(things.update_one({"_id": "a"}, {"$set": {"x": 1}}, upsert=True))
        other = asyncio.create_task(things.update_one({"_id": "b"}, {"$set": {"x": 1}}, upsert=True))
        await asyncio.sleep(0.01)
        order.append("b done" if other.done() else "b waiting")
        order.append("a waiting" if not writer.done() else "a done")
    await writer
    assert order == ["b done", "a waiting"]  # another document is never held up; this one waits its turn
    assert infra.relay.sources[0].collection.locks is things.locks


async def test_idle_scans_back_off_and_a_write_without_notify_or_a_failed_fast_path_is_still_published() -> None:
    """While the fast path publishes everything, the safety-net scan slows to IDLE_SCANS_UP_TO poll intervals
    (each scan of an event collection reads all of it on FerretDB v1); what it alone can publish still goes out."""
    import asyncio

    from koonto.shared.outbox import IDLE_SCANS_UP_TO

    infra = memory_infra(event_collections=["log"])
    relay = infra.relay
    relay.poll_seconds = 0.01
    scans = ScanCounter(relay)
    relay.start()
    try:
        await asyncio.sleep(0.6)
        # at one scan per poll interval this would be ~60; backing off to 0.1 s it is about a dozen
        assert 3 <= scans.n <= 0.6 / (relay.poll_seconds * IDLE_SCANS_UP_TO) + 8

        quiet = envelope(idea_submitted(title="written without notify"))
        await infra.store["log"].insert_one({"_id": "d1", **event_field(quiet)})
        await asyncio.sleep(relay.poll_seconds * IDLE_SCANS_UP_TO + 0.15)
        assert quiet.id in [e.id for e in infra.publisher.envelopes]  # type: ignore[attr-defined]

        await asyncio.sleep(0.5)  # backed off again
        publisher = infra.publisher
        publisher.fail = True  # type: ignore[attr-defined]
        lost = envelope(idea_submitted(title="fast path fails"))
        await infra.store["log"].insert_one({"_id": "d2", **event_field(lost)})
        relay.notify(lost)
        await asyncio.sleep(0.05)
        publisher.fail = False  # type: ignore[attr-defined]
        before = scans.n
        await asyncio.sleep(0.08)  # well under the 0.1 s of an idle back-off plus the error back-off's first step
        assert scans.n > before or lost.id in [e.id for e in publisher.envelopes]  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)
        assert lost.id in [e.id for e in publisher.envelopes]  # type: ignore[attr-defined]
    finally:
        await relay.stop()


async def test_a_full_batch_the_fast_path_published_is_settled_at_the_idle_pace() -> None:
    """During a fan-out the fast path publishes every outcome; the scan then finds full batches of events it only
    has to settle. Those must not make it scan again at once (back to back, each a read of the whole growing log on
    FerretDB v1): it settles one batch per idle interval. A full batch of unpublished events does rescan at once."""
    import asyncio

    infra = memory_infra(event_collections=["log"])
    relay = infra.relay
    relay.poll_seconds = 0.02
    relay.batch = 5
    envs = [envelope(idea_submitted(title=f"t{i}")) for i in range(40)]
    for i, env in enumerate(envs):
        await infra.store["log"].insert_one({"_id": f"d{i:02d}", **event_field(env)})
    relay.notify(*envs)
    assert await relay.publish_committed() == 40  # the fast path: all out, none settled yet
    scans = ScanCounter(relay)
    relay.start()
    try:
        await asyncio.sleep(0.1)
        assert scans.n <= 3  # back to back it would have settled all 8 batches by now
        assert await relay.pending() >= 25
    finally:
        await relay.stop()
    assert [e.id for e in infra.publisher.envelopes] == [e.id for e in envs]  # type: ignore[attr-defined]

    fresh = [envelope(idea_submitted(title=f"n{i}")) for i in range(20)]  # written without notify
    for i, env in enumerate(fresh):
        await infra.store["log"].insert_one({"_id": f"n{i:02d}", **event_field(env)})
    scans.restore()
    await infra.store["log"].delete_many({"_id": {"$regex": "^d"}})
    relay.start()
    try:
        await asyncio.sleep(0.1)
        published_ids = [e.id for e in infra.publisher.envelopes]  # type: ignore[attr-defined]
        assert all(env.id in published_ids for env in fresh)  # 4 full batches, rescanned at once
    finally:
        await relay.stop()
