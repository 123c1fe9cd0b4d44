"""The relay's settle step racing a write on another replica to the same aggregate (`EmbeddedOutbox.settle`).

The relay removes the entries it published only if nothing was written since it read them (`outbox_rev`
unchanged). Here the relay runs on one replica and a service writes the aggregate on another, both at full speed
with no quiet period, so settles and writes meet on one document over and over: every event written must be
published (none removed before it went out) and every state change kept. Two replicas are two store adapters
on one database (`tests.support.stores.replica_stores`), so only the store server keeps their writes apart: a
store that applies one document's update atomically across connections (MongoDB, nx-27017), not FerretDB v1,
whose lost update can drop a write made at that moment. So this runs against the nx-27017 server beside the
default store (`nx_mongo_url`); on FerretDB v1 a service runs as one replica, whose relay shares the service's
per-document locks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import nats
import pytest
from nats.js import JetStreamContext

from koonto.shared.bus import STREAM_NAME, ensure_stream
from koonto.shared.outbox import EmbeddedOutbox, OutboxRelay, Scanned, outbox_fields, outbox_set
from tests.support.samples import envelope, idea_submitted
from tests.support.stores import replica_stores

WRITES = 150


class CountingOutbox(EmbeddedOutbox):
    """The embedded outbox as the relay uses it, counting the entries it removed."""

    removed = 0

    async def settle(self, scanned: Sequence[Scanned], now_ms: int) -> list[str]:
        cleaned = await super().settle(scanned, now_ms)
        self.removed += len(cleaned)
        return cleaned


@pytest.fixture
async def jetstream(clean_stream: str) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(clean_stream)
    js = nc.jetstream()
    await ensure_stream(js)
    yield js
    await nc.close()


async def test_settling_next_to_writes_on_another_replica_loses_no_event_and_no_write(
    jetstream: JetStreamContext, nx_mongo_url: str, nx_database: str
) -> None:
    published: list[str] = []

    async def publish(subject: str, body: bytes, message_id: str, traceparent: str | None = None) -> None:
        await jetstream.publish(subject, body, headers={"Nats-Msg-Id": message_id})
        published.append(message_id)

    async with replica_stores(nx_mongo_url, nx_database) as (relay_side, service_side):
        things = service_side["things"]
        first = envelope(idea_submitted(title="0"))
        await things.insert_one({"_id": "thing", "n": 0, **outbox_fields(first)})
        source = CountingOutbox(relay_side["things"], quiet_ms=0)
        relay = OutboxRelay("probe", relay_side, [source], publish)
        written = [first.id]

        loop = asyncio.get_running_loop()
        took = 0.01  # how long the last relay pass took: the writes land all over the next one

        async def write(n: int) -> None:
            await asyncio.sleep(took * 1.5 * (n % 7) / 6)  # before, inside or after the relay's read and settle
            env = envelope(idea_submitted(title=str(n)))
            await things.update_one({"_id": "thing"}, {"$inc": {"n": 1}, "$set": outbox_set(env)})
            written.append(env.id)

        async def relay_pass() -> None:
            nonlocal took
            started = loop.time()
            await relay.drain_once()
            took = loop.time() - started

        stranded: list[int] = []  # rounds after which an unpublished event was left without the pending flag
        for n in range(1, WRITES + 1):  # each round a relay pass and a write on the other replica at once
            await asyncio.gather(relay_pass(), write(n))
            doc = await things.raw.find_one({"_id": "thing"}, {"outbox": 1, "outbox_pending": 1})
            assert doc is not None
            if set(doc.get("outbox") or {}) - set(published) and not doc.get("outbox_pending"):
                stranded.append(n)  # the scan would never find it (until the next write)
        settled_meanwhile = source.removed
        for _ in range(3):  # what the last passes left (written after they read) goes now
            await relay.drain_once()
        thing = await things.raw.find_one({"_id": "thing"})

    assert settled_meanwhile > WRITES // 4  # the relay really settled next to the writes
    assert stranded == []
    assert thing is not None and thing["n"] == WRITES  # no state change lost
    assert not thing.get("outbox") and not thing.get("outbox_pending")  # all settled in the end
    assert set(published) == set(written)  # every event went out: none removed unpublished
    info = await jetstream.stream_info(STREAM_NAME)
    assert info.state.messages == WRITES + 1


async def test_an_aggregate_with_hundreds_of_unpublished_events_is_settled_in_full(
    jetstream: JetStreamContext, mongo_url: str, db_names: dict[str, str]
) -> None:
    """More entries than one settling write may name (nx-27017 kept all of them, and the pending flag went,
    when one `$unset` named more than about 125): the relay settles them in several guarded writes."""
    async def publish(subject: str, body: bytes, message_id: str, traceparent: str | None = None) -> None:
        await jetstream.publish(subject, body, headers={"Nats-Msg-Id": message_id})

    async with replica_stores(mongo_url, db_names["probe"], replicas=1) as (store,):
        envelopes = [envelope(idea_submitted(title=str(n))) for n in range(260)]
        await store["things"].insert_one({"_id": "busy", **outbox_fields(*envelopes)})
        relay = OutboxRelay("probe", store, [EmbeddedOutbox(store["things"], quiet_ms=0)], publish, batch=500)
        assert await relay.drain_once() == 260
        thing = await store["things"].raw.find_one({"_id": "busy"})
        assert thing is not None and thing.get("outbox") == {} and "outbox_pending" not in thing
        assert await relay.pending() == 0 and await relay.drain_once() == 0
        assert await store["outbox_published"].count_documents({}) == 0  # the markers went with the entries
    assert (await jetstream.stream_info(STREAM_NAME)).state.messages == 260
