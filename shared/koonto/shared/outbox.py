"""The transactional outbox and its one relay, used by every service.

State and the events it causes are written in ONE single-document write; the relay publishes each event with
`Nats-Msg-Id` = event id (JetStream drops a duplicate within the window, consumers dedupe beyond it). NATS being
down only delays the relay; a form submission never fails. Two layouts, one relay:

- `EmbeddedOutbox`: the aggregate carries its unpublished events in an `outbox` map (event id -> entry), an
  `outbox_pending` flag, the id of the last event written (`outbox_rev`) and when (`outbox_written_ms`). Published
  ids are recorded in `outbox_published` (in bulk, one insert per batch); the entries leave the aggregate only once
  it has been quiet for a moment and only if nothing was written since the relay looked (`outbox_rev` unchanged),
  under the document's lock. Why so careful: FerretDB v1 does not apply concurrent updates of one document
  atomically, and nx-27017 matches `{"outbox": {}}` against a non-empty map; so the relay writes to an aggregate
  as rarely as it can, never in the moment after the service wrote it, and never decides "empty" from a filter.
- `EventField`: a document holds one event in a fixed field with a pending flag (notify's delivery log: the
  outcome and its event in one write). A batch is marked published with one `update_many`.

`notify(*envelopes)` after a write that has returned hands the relay the events that write committed: a task of
its own publishes them at once, without reading them back and without waiting for a scan in progress (the scan
then runs every poll interval only, and still publishes whatever that fast path could not, e.g. while NATS is
away). Several replicas may relay at once: a double publish is dropped by JetStream's duplicate window, and the
`outbox_published` record makes the second relay skip it altogether.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pymongo import ASCENDING, IndexModel
from pymongo.errors import BulkWriteError

from koonto.shared.aio import cancel_and_wait, wait_event
from koonto.shared.contracts import Envelope
from koonto.shared.logs import get_logger
from koonto.shared.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISH_ERRORS, OUTBOX_PUBLISHED
from koonto.shared.mongo import Collection, Document, Store, epoch_ms

Publisher = Callable[..., Awaitable[None]]  # (subject, body, message id, traceparent=None)
Seal = Callable[[str, str], Awaitable[str]]  # (event type, body) -> the body with its personal fields sealed

log = get_logger(__name__)

PENDING_FLAG = "outbox_pending"
PUBLISHED = "outbox_published"
SETTLE_FIELDS = 100  # fields one settling `$unset` names at most (see `EmbeddedOutbox._remove`)


# -- writing events (what a store puts into its single-document write) ------------------------------------------
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


EVENT_FIELD = "event"
EVENT_PENDING = "event_pending"
IDLE_SCANS_UP_TO = 10  # poll intervals between scans while the fast path publishes everything


def event_field(envelope: Envelope) -> Document:
    """Fields for a document that carries one event (the `EventField` layout), in the same write as its state."""
    return {
        EVENT_FIELD: {
            "id": envelope.id, "subject": envelope.type, "body": envelope.model_dump_json(),
            "traceparent": envelope.traceparent,
        },
        EVENT_PENDING: True,
    }


# -- reading them back: the two layouts --------------------------------------------------------------------------
@dataclass(frozen=True)
class Pending:
    event_id: str
    subject: str
    body: str
    traceparent: str | None


@dataclass(frozen=True)
class Scanned:
    """One document the scan found, with its events in creation order."""

    doc: Document
    events: list[Pending]


class OutboxSource(Protocol):
    collection: Collection

    @property
    def index(self) -> IndexModel: ...

    async def scan(self, limit: int) -> list[Scanned]: ...

    async def settle(self, scanned: Sequence[Scanned], now_ms: int) -> list[str]:
        """Clear what is published from the documents; returns the event ids whose markers may go."""
        ...

    async def count_pending(self) -> int: ...


class EmbeddedOutbox:
    def __init__(self, collection: Collection, *, quiet_ms: int = 2000) -> None:
        self.collection = collection
        self.quiet_ms = quiet_ms

    @property
    def index(self) -> IndexModel:
        return IndexModel([(PENDING_FLAG, ASCENDING)], name="outbox_pending")

    async def scan(self, limit: int) -> list[Scanned]:
        projection = {"outbox": 1, "outbox_rev": 1, "outbox_written_ms": 1}
        found: list[Scanned] = []
        async for doc in self.collection.find({PENDING_FLAG: True}, projection).limit(limit):
            entries = sorted((doc.get("outbox") or {}).items())  # UUIDv7 ids: text order = creation order
            found.append(Scanned(doc, [
                Pending(event_id, e["subject"], e["body"], e.get("traceparent")) for event_id, e in entries
            ]))
        return found

    async def settle(self, scanned: Sequence[Scanned], now_ms: int) -> list[str]:
        cleaned: list[str] = []
        for item in scanned:
            if now_ms - int(item.doc.get("outbox_written_ms") or 0) < self.quiet_ms:
                continue  # just written: the service may be writing it again; clean on a later pass
            cleaned += await self._remove(item)
        return cleaned

    async def _remove(self, item: Scanned) -> list[str]:
        """Removes the entries read, in writes of at most `SETTLE_FIELDS` fields (nx-27017 leaves every field in
        place, and says it modified the document, when one `$unset` names more than about 125: 121 worked, 127
        did not), each only if nothing was written since (`outbox_rev`); the pending flag goes with the last. A
        write in between stops it: the entries left stay pending, and their published markers make the next
        pass settle them."""
        event_ids = [p.event_id for p in item.events]
        chunks = [event_ids[n:n + SETTLE_FIELDS] for n in range(0, len(event_ids), SETTLE_FIELDS)] or [[]]
        guard = {"_id": item.doc["_id"], "outbox_rev": item.doc.get("outbox_rev")}
        removed: list[str] = []
        for n, chunk in enumerate(chunks):
            unset: Document = {f"outbox.{event_id}": "" for event_id in chunk}
            if n == len(chunks) - 1:
                unset[PENDING_FLAG] = ""
            result = await self.collection.update_one(guard, {"$unset": unset})
            if not result.matched_count:
                break
            removed += chunk
        return removed

    async def count_pending(self) -> int:
        return await self.collection.count_documents({PENDING_FLAG: True})


class EventField:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    @property
    def index(self) -> IndexModel:
        return IndexModel([(EVENT_PENDING, ASCENDING)], name=EVENT_PENDING)

    async def scan(self, limit: int) -> list[Scanned]:
        found: list[Scanned] = []
        async for doc in self.collection.find({EVENT_PENDING: True}, {EVENT_FIELD: 1}).limit(limit):
            event = doc[EVENT_FIELD]
            pending = Pending(event["id"], event["subject"], event["body"], event.get("traceparent"))
            found.append(Scanned(doc, [pending]))
        return found

    async def settle(self, scanned: Sequence[Scanned], now_ms: int) -> list[str]:
        if not scanned:
            return []
        await self.collection.update_many(
            {"_id": {"$in": [s.doc["_id"] for s in scanned]}}, {"$unset": {EVENT_PENDING: ""}}
        )
        return [p.event_id for s in scanned for p in s.events]

    async def count_pending(self) -> int:
        return await self.collection.count_documents({EVENT_PENDING: True})


# -- the relay ------------------------------------------------------------------------------------------------
class OutboxRelay:
    """Publishes pending events of its sources; wakes on `notify()` or every poll interval."""

    def __init__(
        self,
        service: str,
        store: Store,
        sources: Sequence[OutboxSource],
        publish: Publisher,
        *,
        poll_seconds: float = 1.0,
        batch: int = 200,
        seal: Seal | None = None,
    ) -> None:
        self.service = service
        self.seal = seal  # koonto.shared.sealing: personal fields leave the service encrypted per person
        self.sources = list(sources)
        self.publish = publish
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.published = store.collection(PUBLISHED)
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._committed: deque[Envelope] = deque()
        self._committed_ready = asyncio.Event()
        self._scan_requested = False
        self._full_batch = False
        self._fast_path_failed = False
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    @property
    def indexes(self) -> dict[str, list[IndexModel]]:
        return {source.collection.name: [source.index] for source in self.sources}

    def notify(self, *committed: Envelope) -> None:
        """Tell the relay that something was just written (publishes without waiting for the poll).

        With the envelopes of a write that has returned, the relay publishes exactly those (no scan); without,
        it scans its sources."""
        if committed and len(self._committed) < 10 * self.batch:
            self._committed.extend(committed)
            self._committed_ready.set()
            return
        self._scan_requested = True  # (or too many waiting: they are in the outboxes, the scan finds them)
        self._wake.set()

    def _remember(self, event_ids: Sequence[str]) -> None:
        for event_id in event_ids:
            self._recent[event_id] = None
        while len(self._recent) > 10_000:
            self._recent.popitem(last=False)

    async def _record(self, event_ids: Sequence[str]) -> None:
        """One insert for a batch of published markers; a marker already there (another replica) is fine."""
        self._remember(event_ids)
        if not event_ids:
            return
        try:
            await self.published.insert_many([{"_id": i, "at_ms": epoch_ms()} for i in event_ids], ordered=False)
        except BulkWriteError as exc:
            if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
                raise

    async def _already_published(self, event_ids: Sequence[str]) -> set[str]:
        known = {i for i in event_ids if i in self._recent}
        unknown = [i for i in event_ids if i not in known]
        if unknown:
            known |= {d["_id"] async for d in self.published.find({"_id": {"$in": unknown}}, {"_id": 1})}
        return known

    async def _publish_all(self, events: Sequence[Pending]) -> list[str]:
        """Publish in order; on an error, record what went out, then raise (the rest stays for the scan)."""
        done: list[str] = []
        try:
            for event in events:
                body = await self.seal(event.subject, event.body) if self.seal else event.body
                await self.publish(event.subject, body.encode(), event.event_id, traceparent=event.traceparent)
                done.append(event.event_id)
                OUTBOX_PUBLISHED.labels(self.service).inc()
        finally:
            await self._record(done)
        return done

    async def publish_committed(self) -> int:
        """Publish the events handed over by `notify(*envelopes)`, in order, and record them in one insert."""
        events: list[Pending] = []
        while self._committed:
            envelope = self._committed.popleft()
            if envelope.id not in self._recent:
                events.append(Pending(envelope.id, envelope.type, envelope.model_dump_json(), envelope.traceparent))
        try:
            return len(await self._publish_all(events))
        except BaseException:
            self._committed.clear()  # all in their outboxes: the next scan (poll) publishes them
            raise

    async def drain_once(self) -> int:
        published = 0
        backlog = 0
        for source in self.sources:
            scanned = await source.scan(self.batch)
            if not scanned:
                continue
            ids = [p.event_id for s in scanned for p in s.events]
            done = await self._already_published(ids)
            todo = [p for s in scanned for p in s.events if p.event_id not in done]
            # a full batch of unpublished events: there may be more right behind it. A full batch the fast path had
            # published already is only settled here, at the idle pace (a fan-out's log, on a store that reads the
            # whole collection for it, would otherwise be scanned back to back while the fast path keeps up)
            self._full_batch |= len(scanned) >= self.batch and bool(todo)
            backlog += len({id(s) for s in scanned if any(p.event_id not in done for p in s.events)})
            published += len(await self._publish_all(todo))
            cleaned = await source.settle(scanned, epoch_ms())
            if cleaned:
                await self.published.delete_many({"_id": {"$in": cleaned}})
        OUTBOX_BACKLOG.labels(self.service).set(backlog)
        return published

    async def pending(self) -> int:
        return sum([await s.count_pending() for s in self.sources])

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
                self._fast_path_failed = True  # the scan must not be in an idle back-off now
                self._wake.set()

    async def run(self) -> None:
        """The scan: the safety net under the fast path, and what publishes events written without `notify`.

        While scans find nothing the fast path has not published already, the next one waits twice as long, up
        to `IDLE_SCANS_UP_TO` poll intervals: on stores where any filter but `_id` reads the whole collection
        (FerretDB v1), a scan every poll interval of a growing event collection (notify's delivery log during a
        fan-out) cost more than the sends. A scan that publishes something, or finds a full batch, resets it."""
        loop = asyncio.get_running_loop()
        delay = self.poll_seconds
        idle = self.poll_seconds
        scan_at = loop.time()  # the first pass scans
        while not self._stopping:
            if self._fast_path_failed:  # within one poll interval, or sooner if an error back-off ends sooner
                self._fast_path_failed = False
                idle = self.poll_seconds
                scan_at = min(scan_at, loop.time() + self.poll_seconds)
            try:
                if self._scan_requested or loop.time() >= scan_at:
                    self._scan_requested = False
                    self._full_batch = False
                    published = await self.drain_once()
                    delay = self.poll_seconds
                    if published or self._full_batch:  # there may be more than one batch: scan again at once
                        idle = self.poll_seconds
                        scan_at = loop.time()
                    else:
                        scan_at = loop.time() + idle
                        idle = min(idle * 2, self.poll_seconds * IDLE_SCANS_UP_TO)
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
        if not self.sources:
            return
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self.run(), name=f"{self.service}-outbox-relay"),
            asyncio.create_task(self.run_fast_path(), name=f"{self.service}-outbox-relay-fast"),
        ]

    async def stop(self, timeout: float = 10.0) -> set[asyncio.Task[None]]:
        """Returns the tasks that did not end within `timeout` (none, normally)."""
        self._stopping = True
        pending = await cancel_and_wait(self._tasks, timeout)
        self._tasks = []
        return pending
