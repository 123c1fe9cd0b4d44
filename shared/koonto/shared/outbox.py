"""Embedded transactional outbox and its relay.

State and the events it causes are written in ONE single-document write: the aggregate carries its unpublished
events in an `outbox` map (event id -> entry), an `outbox_pending` flag, the id of the last event written
(`outbox_rev`) and when it was written (`outbox_written_ms`). The relay publishes each entry with
`Nats-Msg-Id` = event id (JetStream drops a duplicate within the window, consumers dedupe beyond it) and records
the id in `outbox_published` (an insert). NATS being down only delays the relay; a form submission never fails.

The relay removes published entries from the aggregate only once the aggregate has been quiet for a moment, and
only if nothing was written since it looked (`outbox_rev` unchanged). Why so careful: FerretDB v1 does not apply
concurrent updates of one document atomically (a read-modify-write race loses one of them), and nx-27017 matches
`{"outbox": {}}` against a non-empty map; so the relay writes to an aggregate as rarely as it can, never in the
moment after the service wrote it, and never decides "empty" from a filter.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from koonto.shared.aio import cancel_and_wait, wait_event
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


def _marks(envelopes: Sequence[Envelope]) -> Document:
    return {PENDING_FLAG: True, "outbox_rev": envelopes[-1].id, "outbox_written_ms": epoch_ms()}


def outbox_fields(*envelopes: Envelope) -> Document:
    """Fields to put into a new aggregate document (insert_one / $setOnInsert)."""
    fields: Document = {"outbox": {e.id: _entry(e) for e in envelopes}}
    if envelopes:
        fields.update(_marks(envelopes))
    return fields


def outbox_set(*envelopes: Envelope) -> Document:
    """Fields to merge into the `$set` of an update of an existing aggregate."""
    fields: Document = {f"outbox.{e.id}": _entry(e) for e in envelopes}
    if envelopes:
        fields.update(_marks(envelopes))
    return fields


class OutboxRelay:
    """Publishes pending outbox entries of the given collections; wakes on `notify()` or every poll interval.

    `notify(*envelopes)` after a write that has returned hands the relay the events that write committed: a task of
    its own publishes them at once, without reading them back and without waiting for a scan in progress (the scan
    then runs every poll interval only, and still publishes whatever that fast path could not, e.g. while NATS is
    away).

    Several replicas may relay at once: a double publish is dropped by JetStream's duplicate window, and the
    `outbox_published` record makes the second relay skip it altogether.
    """

    PUBLISHED = "outbox_published"

    def __init__(
        self,
        service: str,
        collections: Sequence[AsyncCollection[Document]],
        publish: Publisher,
        *,
        poll_seconds: float = 1.0,
        batch: int = 200,
        quiet_ms: int = 2000,
    ) -> None:
        self.service = service
        self.collections = list(collections)
        self.publish = publish
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.quiet_ms = quiet_ms
        self.published = self.collections[0].database[self.PUBLISHED] if self.collections else None
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._committed: deque[Envelope] = deque()
        self._committed_ready = asyncio.Event()
        self._scan_requested = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._fast_task: asyncio.Task[None] | None = None
        self._stopping = False

    def notify(self, *committed: Envelope) -> None:
        """Tell the relay that something was just written (publishes without waiting for the poll).

        With the envelopes of a write that has returned, the relay publishes exactly those (no scan); without,
        it scans the outbox collections."""
        if committed and len(self._committed) < 10 * self.batch:
            self._committed.extend(committed)
            self._committed_ready.set()
            return
        self._scan_requested = True  # (or too many waiting: they are in the outboxes, the scan finds them)
        self._wake.set()

    async def _already_published(self, event_id: str) -> bool:
        if event_id in self._recent:
            return True
        assert self.published is not None
        return await self.published.find_one({"_id": event_id}, {"_id": 1}) is not None

    async def _record_published(self, event_id: str) -> None:
        assert self.published is not None
        with contextlib.suppress(DuplicateKeyError):
            await self.published.insert_one({"_id": event_id, "at_ms": epoch_ms()})
        self._recent[event_id] = None
        while len(self._recent) > 10_000:
            self._recent.popitem(last=False)

    async def publish_committed(self) -> int:
        """Publish the events handed over by `notify(*envelopes)`, in order, and record them in one insert.

        On an error the rest are left to the scan (they are in their outboxes) and the error is raised."""
        published: list[str] = []
        while self._committed:  # what is handed over while we publish joins this round
            envelope = self._committed.popleft()
            if envelope.id in self._recent:
                continue
            try:
                await self.publish(
                    envelope.type, envelope.model_dump_json().encode(), envelope.id, traceparent=envelope.traceparent
                )
            except BaseException:
                self._committed.clear()  # all in their outboxes: the next scan (poll) publishes them
                self._remember(published)
                raise
            published.append(envelope.id)
            OUTBOX_PUBLISHED.labels(self.service).inc()
        self._remember(published)
        if published and self.published is not None:
            try:
                await self.published.insert_many([{"_id": i, "at_ms": epoch_ms()} for i in published], ordered=False)
            except BulkWriteError as exc:  # already recorded (by a scan or another replica): that is fine
                if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
                    raise
        return len(published)

    def _remember(self, event_ids: Sequence[str]) -> None:
        for event_id in event_ids:
            self._recent[event_id] = None
        while len(self._recent) > 10_000:
            self._recent.popitem(last=False)

    async def drain_once(self) -> int:
        published = 0
        backlog = 0
        now = epoch_ms()
        cleaned: list[str] = []  # their `outbox_published` records go in one delete at the end
        try:
            for collection in self.collections:
                projection = {"outbox": 1, "outbox_rev": 1, "outbox_written_ms": 1}
                async for doc in collection.find({PENDING_FLAG: True}, projection).limit(self.batch):
                    entries = sorted((doc.get("outbox") or {}).items())  # UUIDv7 ids: text order = creation order
                    unpublished = 0
                    for event_id, entry in entries:
                        if await self._already_published(event_id):
                            continue
                        unpublished += 1
                        await self.publish(
                            entry["subject"], entry["body"].encode(), event_id, traceparent=entry.get("traceparent")
                        )
                        await self._record_published(event_id)
                        published += 1
                        OUTBOX_PUBLISHED.labels(self.service).inc()
                    if unpublished:
                        backlog += 1
                    if now - int(doc.get("outbox_written_ms") or 0) >= self.quiet_ms:
                        event_ids = [event_id for event_id, _ in entries]
                        if await self._clean(collection, doc, event_ids):
                            cleaned += event_ids
        finally:
            if cleaned and self.published is not None:
                await self.published.delete_many({"_id": {"$in": cleaned}})
        OUTBOX_BACKLOG.labels(self.service).set(backlog)
        return published

    async def _clean(self, collection: AsyncCollection[Document], doc: Document, event_ids: list[str]) -> bool:
        """Remove published entries, in one write, only if nothing was written since we read the document."""
        unset: Document = {f"outbox.{event_id}": "" for event_id in event_ids}
        unset[PENDING_FLAG] = ""
        result = await collection.update_one(
            {"_id": doc["_id"], "outbox_rev": doc.get("outbox_rev")}, {"$unset": unset}
        )
        return bool(result.modified_count)

    async def pending(self) -> int:
        return sum([await c.count_documents({PENDING_FLAG: True}) for c in self.collections])

    async def run_fast_path(self) -> None:
        """Publishes what `notify(*envelopes)` hands over, in its own task: a long scan never delays it."""
        while not self._stopping:
            await self._committed_ready.wait()
            self._committed_ready.clear()
            try:
                await self.publish_committed()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS or the store is away: the scan publishes them from the outboxes later
                OUTBOX_PUBLISH_ERRORS.labels(self.service).inc()
                log.warning("outbox relay could not publish at once; the scan will", error=repr(exc))

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        delay = self.poll_seconds
        scan_at = loop.time()  # the first pass scans
        while not self._stopping:
            try:
                if self._scan_requested or loop.time() >= scan_at:
                    self._scan_requested = False
                    published = await self.drain_once()
                    delay = self.poll_seconds
                    # there may be more than one batch: scan again at once
                    scan_at = loop.time() + (0.0 if published else delay)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS or the store is away: try again later, nothing is lost
                OUTBOX_PUBLISH_ERRORS.labels(self.service).inc()
                log.warning("outbox relay could not publish; will retry", error=repr(exc), retry_in=delay)
                self._scan_requested = False
                delay = min(delay * 2, 5.0)
                scan_at = loop.time() + delay
            self._wake.clear()
            if self._scan_requested:
                continue
            timeout = scan_at - loop.time()
            if timeout > 0:
                await wait_event(self._wake, timeout)

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"{self.service}-outbox-relay")
        self._fast_task = asyncio.create_task(self.run_fast_path(), name=f"{self.service}-outbox-relay-fast")

    async def stop(self, timeout: float = 10.0) -> set[asyncio.Task[None]]:
        """Returns the tasks that did not end within `timeout` (none, normally)."""
        self._stopping = True
        pending = await cancel_and_wait([t for t in (self._task, self._fast_task) if t], timeout)
        self._task = self._fast_task = None
        return pending
