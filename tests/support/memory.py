"""In-memory fakes for fast use-case tests (the unit tier): a store and an `Infra` whose publisher records.

The store is mongomock (an in-memory implementation of PyMongo's collection API) behind the async surface that
`koonto.shared.mongo.Collection` calls, so a service's real store code runs on it unchanged — a use case is then
tested in milliseconds, state and events both. Integration tests never use it: they run on real NATS and a real
MongoDB-protocol server (tests/support/servers.py).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any, cast

import mongomock
from faststream.nats import NatsBroker
from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Leases, Store
from koonto.shared.outbox import EmbeddedOutbox, EventField, OutboxRelay, OutboxSource
from koonto.shared.region import Regions
from koonto.shared.runtime import Infra
from koonto.shared.settings import ServiceSettings

Document = dict[str, Any]
_databases = itertools.count()


class _AsyncIterable:
    def __init__(self, items: Iterable[Document]) -> None:
        self._items = items

    def __aiter__(self) -> AsyncIterator[Document]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Document]:
        for item in self._items:
            yield item

    async def to_list(self, length: int | None = None) -> list[Document]:
        items = list(self._items)
        return items if length is None else items[:length]


class MemoryCursor(_AsyncIterable):
    def __init__(self, cursor: Any) -> None:
        super().__init__(cursor)
        self._cursor = cursor

    def sort(self, *args: Any, **kwargs: Any) -> MemoryCursor:
        self._cursor.sort(*args, **kwargs)
        return self

    def limit(self, n: int) -> MemoryCursor:
        self._cursor.limit(n)
        return self

    def skip(self, n: int) -> MemoryCursor:
        self._cursor.skip(n)
        return self

    def batch_size(self, n: int) -> MemoryCursor:
        return self


class MemoryCollection:
    """The async surface of PyMongo's collection, over one mongomock collection."""

    def __init__(self, sync: Any, database: MemoryDatabase) -> None:
        self._sync = sync
        self.name = sync.name
        self.database = database

    def find(self, *args: Any, **kwargs: Any) -> MemoryCursor:
        return MemoryCursor(self._sync.find(*args, **kwargs))

    async def find_one(self, *args: Any, **kwargs: Any) -> Document | None:
        return cast("Document | None", self._sync.find_one(*args, **kwargs))

    async def count_documents(self, *args: Any, **kwargs: Any) -> int:
        return int(self._sync.count_documents(*args, **kwargs))

    async def aggregate(self, pipeline: Sequence[Document], **kwargs: Any) -> _AsyncIterable:
        return _AsyncIterable(list(self._sync.aggregate(list(pipeline))))

    async def distinct(self, *args: Any, **kwargs: Any) -> list[Any]:
        return list(self._sync.distinct(*args, **kwargs))

    async def insert_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.insert_one(*args, **kwargs)

    async def insert_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.insert_many(*args, **kwargs)

    async def update_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.update_one(*args, **kwargs)

    async def update_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.update_many(*args, **kwargs)

    async def replace_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.replace_one(*args, **kwargs)

    async def find_one_and_update(self, *args: Any, **kwargs: Any) -> Document | None:
        return cast("Document | None", self._sync.find_one_and_update(*args, **kwargs))

    async def find_one_and_delete(self, *args: Any, **kwargs: Any) -> Document | None:
        return cast("Document | None", self._sync.find_one_and_delete(*args, **kwargs))

    async def delete_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.delete_one(*args, **kwargs)

    async def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.delete_many(*args, **kwargs)

    async def bulk_write(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync.bulk_write(*args, **kwargs)

    async def create_indexes(self, indexes: Sequence[Any]) -> list[str]:
        return [self.create_index_now(index) for index in indexes]

    def create_index_now(self, index: IndexModel) -> str:
        document = dict(index.document)
        keys = list(document.pop("key").items())
        document.pop("v", None)
        return str(self._sync.create_index(keys, **document))

    async def create_index(self, *args: Any, **kwargs: Any) -> str:
        return str(self._sync.create_index(*args, **kwargs))

    async def list_indexes(self) -> _AsyncIterable:
        return _AsyncIterable([{"name": name, **info, "key": dict(info["key"])}
                               for name, info in self._sync.index_information().items()])

    async def drop(self) -> None:
        self._sync.drop()


class MemoryDatabase:
    """The async surface of PyMongo's database, over one mongomock database."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"memory{next(_databases)}"
        self._sync = mongomock.MongoClient(tz_aware=True)[self.name]
        self._collections: dict[str, MemoryCollection] = {}

    def __getitem__(self, name: str) -> MemoryCollection:
        if name not in self._collections:
            self._collections[name] = MemoryCollection(self._sync[name], self)
        return self._collections[name]

    get_collection = __getitem__

    async def list_collection_names(self) -> list[str]:
        return list(self._sync.list_collection_names())

    async def command(self, name: str, *args: Any, **kwargs: Any) -> Document:
        return {"ok": 1.0}

    async def drop_collection(self, name: str) -> None:
        self._sync.drop_collection(name)


def memory_store() -> Store:
    return Store(cast("AsyncDatabase[Document]", MemoryDatabase()))


class RecordingPublisher:
    """Stands in for JetStream: keeps what was published, in order; `Nats-Msg-Id` duplicates are dropped as the
    stream's duplicate window would."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self._ids: set[str] = set()
        self.fail = False

    async def __call__(self, subject: str, body: bytes, message_id: str, traceparent: str | None = None) -> None:
        if self.fail:
            raise ConnectionError("NATS is away (test)")
        if message_id in self._ids:
            return
        self._ids.add(message_id)
        envelope = Envelope.read_json(body)
        assert envelope.type == subject
        self.envelopes.append(envelope)


def memory_infra(
    settings: ServiceSettings | None = None,
    *,
    outbox_collections: Sequence[str] = (),
    event_collections: Sequence[str] = (),
    store: Store | None = None,
    instance_id: str = "memory-1",
    indexes: Mapping[str, Sequence[IndexModel]] | None = None,
) -> Infra:
    """An `Infra` on the in-memory store, with a recording publisher and the real relay (not started: call
    `await published(infra)` to run it once); `indexes` (a service's `INDEXES`) are created as the runtime would.
    Another replica on the same data: pass the first one's `store` and
    another `instance_id`."""
    settings = settings or ServiceSettings()
    store = store or memory_store()
    for name, models in (indexes or {}).items():  # as the runtime creates them: the unique ones decide writes
        for model in models:
            cast(MemoryCollection, store.db[name]).create_index_now(model)
    publisher = RecordingPublisher()
    sources: list[OutboxSource] = [EmbeddedOutbox(store[c], quiet_ms=0) for c in outbox_collections]
    sources += [EventField(store[c]) for c in event_collections]
    relay = OutboxRelay(settings.service_name, store, sources, publisher)
    return Infra(
        service=settings.service_name, settings=settings,
        regions=Regions.load(settings.region, settings.regions, settings.regions_dir, hosts=settings.region_hosts),
        instance_id=instance_id, mongo=cast(Any, None), db=store.db, store=store,
        broker=NatsBroker("nats://127.0.0.1:1"), publisher=cast(Any, publisher), relay=relay,
        leases=Leases(store.db["leases"], instance_id),
    )


async def published(infra: Infra) -> list[Envelope]:
    """Run the relay once (the events handed over and everything in the outboxes) and return what was published
    since the last call."""
    publisher = cast(RecordingPublisher, infra.publisher)
    seen = getattr(publisher, "_returned", 0)
    await infra.relay.publish_committed()
    while await infra.relay.drain_once():
        pass
    publisher._returned = len(publisher.envelopes)  # type: ignore[attr-defined]
    return publisher.envelopes[seen:]
