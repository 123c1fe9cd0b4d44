"""Embedded transactional outbox and its relay.

State and the events it causes are written in ONE single-document write: the aggregate carries its unpublished
events in an `outbox` map (event id -> entry) and an `outbox_pending` flag. The relay publishes each entry with
`Nats-Msg-Id` = event id (JetStream drops a duplicate within the window, consumers dedupe beyond it), then
removes it. NATS being down only delays the relay; a form submission never fails because of it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from koonto.shared.contracts import Envelope
from koonto.shared.logs import get_logger
from koonto.shared.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISH_ERRORS, OUTBOX_PUBLISHED
from koonto.shared.store import epoch_ms

Document = dict[str, Any]
Publisher = Callable[..., Awaitable[None]]  # (subject, body, message id, traceparent=None)

log = get_logger(__name__)

PENDING_FLAG = "outbox_pending"


def _entry(envelope: Envelope) -> Document:
    return {
        "subject": envelope.type, "body": envelope.model_dump_json(), "created_ms": epoch_ms(),
        "traceparent": envelope.traceparent,
    }


def outbox_fields(*envelopes: Envelope) -> Document:
    """Fields to put into a new aggregate document (insert_one / $setOnInsert)."""
    return {"outbox": {e.id: _entry(e) for e in envelopes}, PENDING_FLAG: True}


def outbox_set(*envelopes: Envelope) -> Document:
    """Fields to merge into the `$set` of an update of an existing aggregate."""
    fields: Document = {f"outbox.{e.id}": _entry(e) for e in envelopes}
    if envelopes:
        fields[PENDING_FLAG] = True
    return fields


class OutboxRelay:
    """Publishes pending outbox entries of the given collections; wakes on `notify()` or every poll interval.

    Several replicas may relay at once: a double publish is dropped by JetStream's duplicate window.
    """

    def __init__(
        self,
        service: str,
        collections: Sequence[AsyncCollection[Document]],
        publish: Publisher,
        *,
        poll_seconds: float = 1.0,
        batch: int = 200,
    ) -> None:
        self.service = service
        self.collections = list(collections)
        self.publish = publish
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def notify(self) -> None:
        """Tell the relay that something was just written (publishes without waiting for the poll)."""
        self._wake.set()

    async def drain_once(self) -> int:
        published = 0
        backlog = 0
        for collection in self.collections:
            async for doc in collection.find({PENDING_FLAG: True}, {"outbox": 1}).limit(self.batch):
                backlog += 1
                # event ids are UUIDv7: their text order is the order they were made in
                entries = sorted((doc.get("outbox") or {}).items())
                for event_id, entry in entries:
                    await self.publish(
                        entry["subject"], entry["body"].encode(), event_id, traceparent=entry.get("traceparent")
                    )
                    await collection.update_one({"_id": doc["_id"]}, {"$unset": {f"outbox.{event_id}": ""}})
                    published += 1
                    OUTBOX_PUBLISHED.labels(self.service).inc()
                # clears the flag only if nothing new arrived meanwhile (the filter and the update are atomic)
                await collection.update_one({"_id": doc["_id"], "outbox": {}}, {"$unset": {PENDING_FLAG: ""}})
                backlog -= 1
        OUTBOX_BACKLOG.labels(self.service).set(max(backlog, 0))
        return published

    async def pending(self) -> int:
        return sum([await c.count_documents({PENDING_FLAG: True}) for c in self.collections])

    async def run(self) -> None:
        delay = self.poll_seconds
        while not self._stopping:
            try:
                published = await self.drain_once()
                delay = self.poll_seconds
                if published:
                    continue  # there may be more than one batch
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS or the store is away: try again later, nothing is lost
                OUTBOX_PUBLISH_ERRORS.labels(self.service).inc()
                log.warning("outbox relay could not publish; will retry", error=repr(exc), retry_in=delay)
                delay = min(delay * 2, 5.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"{self.service}-outbox-relay")

    async def stop(self) -> None:
        self._stopping = True
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
