"""The runtime every service is built on: infrastructure first, then the service's own parts, then the web app.

The order is the point (cosmicpython's bootstrap): the runtime builds the infrastructure (`Infra`: settings,
region, store client and `Store`, broker, publisher, outbox relay, leases), then calls the service's
`bootstrap(infra) -> Container` once. The container is the service's typed composition root: its handlers get it
as their third argument, its routers through an `Annotated` dependency, its jobs as their argument. Parts a
service replaces (dead letters, the token verifier) are declared in its `ServiceSpec` and built in this order;
nothing is swapped in afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Generic, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from faststream.nats import NatsBroker
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from koonto.shared import tracing
from koonto.shared.aio import cancel_and_wait, task_stack
from koonto.shared.auth import JwksCache, TokenVerifier
from koonto.shared.bodies import BODY_LIMIT, install_body_limit
from koonto.shared.bus import (
    Consumer,
    ConsumerPolicy,
    DeadLetters,
    Inbox,
    Publisher,
    Subscription,
    ensure_stream,
)
from koonto.shared.contracts import Envelope, EventData, make_envelope
from koonto.shared.edge import RequestEdge
from koonto.shared.error_pages import ErrorPages
from koonto.shared.logs import configure_logging, get_logger
from koonto.shared.metrics import JOB_RESTARTS
from koonto.shared.mongo import Document, IndexSpec, Leases, Store, ensure_indexes, make_client, ping, wait_for_store
from koonto.shared.outbox import EmbeddedOutbox, EventField, OutboxRelay, OutboxSource
from koonto.shared.pages import SHARED_STATIC
from koonto.shared.region import Region, Regions, find_regions_dir, require_configured
from koonto.shared.sealing import Keys, Opener, Sealer, SubjectKeys
from koonto.shared.sealing import keys as sealing_keys
from koonto.shared.sealing.api import key_store_router
from koonto.shared.sealing.shredder import COLLECTION as SHREDS
from koonto.shared.sealing.shredder import Shredder
from koonto.shared.settings import LOCAL_ONLY_KEY_STORE_TOKEN, ServiceSettings
from koonto.shared.staff_directory import COLLECTION as STAFF_DIRECTORY
from koonto.shared.staff_directory import StaffDirectory
from koonto.shared.web import (
    OrjsonResponse,
    RequestDeadline,
    Unavailable,
    dead_letter_router,
    install_error_handlers,
    ops_router,
)

log = get_logger(__name__)

C = TypeVar("C")


@dataclass
class Infra:
    """What the runtime builds before any part of the service, and hands to the service's `bootstrap`."""

    service: str
    settings: ServiceSettings
    regions: Regions
    instance_id: str
    mongo: AsyncMongoClient[Document]
    db: AsyncDatabase[Document]
    store: Store
    broker: NatsBroker
    publisher: Publisher
    relay: OutboxRelay
    leases: Leases
    keys: Keys | None = None  # the per-person keys (koonto.shared.sealing); None where nothing is sealed or opened
    shredder: Shredder | None = None  # in the service that owns the key store

    @property
    def region(self) -> Region:
        """The region of the work under way: the request's or the consumed event's (`koonto.shared.region`)."""
        return self.regions.current()

    def new_event(self, data: EventData, *, subject: str, correlation_id: str | None = None,
                  region: str | None = None) -> Envelope:
        """An event of the current region, or of `region` (a job acting for one region of several)."""
        code = region or self.region.code
        return make_envelope(data, subject=subject, region=code, correlation_id=correlation_id)

    def events_written(self, *envelopes: Envelope) -> None:
        """Call after a write that put events into an outbox has returned: the relay publishes them at once."""
        self.relay.notify(*envelopes)


class OnInfra:
    """For a class holding the runtime's `infra` (a service's container, notify's use-case core): what it reads
    from there, named once — the region, the one outbox relay and this replica's id (as leases and claims name it)."""

    infra: Infra

    @property
    def region(self) -> Region:
        return self.infra.region

    @property
    def relay(self) -> OutboxRelay:
        return self.infra.relay

    @property
    def owner(self) -> str:
        return self.infra.instance_id


def _infra_itself(infra: Infra) -> Any:
    return infra


@dataclass
class ServiceSpec(Generic[C]):
    """What one service contributes to the runtime; `C` is the type of its container."""

    name: str
    title: str
    bootstrap: Callable[[Infra], C] = _infra_itself
    subscriptions: Sequence[Subscription] = ()
    indexes: IndexSpec = field(default_factory=dict)
    outbox_collections: Sequence[str] = ()  # aggregates with an embedded outbox
    event_collections: Sequence[str] = ()  # documents that carry one event each (`outbox.EventField`)
    routers: Sequence[APIRouter] = ()
    jobs: Sequence[Callable[[C], Awaitable[None]]] = ()
    on_startup: Sequence[Callable[[C], Awaitable[None]]] = ()
    on_stop: Sequence[Callable[[C], Awaitable[None]]] = ()
    configure_app: Callable[[FastAPI, C], None] | None = None
    dead_letters: Callable[[AsyncDatabase[Document]], DeadLetters] = DeadLetters
    token_verifier: Callable[[C], TokenVerifier] | None = None  # default: the staff JWKS from advisory
    owns_key_store: bool = False  # keeps the per-person keys and serves them (intake)
    opens_sealed: bool = True  # False: personal fields reach the handlers sealed (reporting reads none of them)


class Runtime(Generic[C]):
    @property
    def region(self) -> Region:
        """The region of the request or event under way (the home region outside one)."""
        return self.regions.current()

    def __init__(self, spec: ServiceSpec[C], settings: ServiceSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.instance_id = f"{socket.gethostname()}-{os.getpid()}-{id(self):x}"
        self.regions = Regions.load(
            settings.region, settings.regions, settings.regions_dir, hosts=settings.region_hosts,
            path_prefixes=settings.region_path_prefixes,
        )
        if settings.mode == "production":
            for served in self.regions:
                require_configured(served, f"{find_regions_dir(settings.regions_dir)}/{served.code}.yaml")
        self.mongo = make_client(
            settings.mongo_url,
            server_selection_timeout_ms=settings.mongo_server_selection_timeout_ms,
            connect_timeout_ms=settings.mongo_connect_timeout_ms,
            socket_timeout_ms=settings.mongo_socket_timeout_ms,
        )
        self.db = self.mongo[settings.mongo_database]
        self.store = Store(self.db)
        # credentials travel in the URL (nats://user:password@host:4222), as nats-py accepts them
        self.broker = NatsBroker(
            settings.nats_url,
            name=f"koonto-{spec.name}",
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            connect_timeout=2,
            log_level=logging.DEBUG,  # FastStream logs every message at this level: keep it below INFO
            # a logger under "faststream" (WARNING unless the service logs at DEBUG: `configure_logging`), not
            # FastStream's own stdout logger, which prints a line per consumer task at every stop
            logger=logging.getLogger("faststream.koonto"),
        )
        self.publisher = Publisher(self.broker)
        self.keys = self._keys()
        sources: list[OutboxSource] = [
            EmbeddedOutbox(self.store[c], quiet_ms=settings.outbox_quiet_ms) for c in spec.outbox_collections
        ]
        sources += [EventField(self.store[c]) for c in spec.event_collections]
        self.relay = OutboxRelay(
            spec.name, self.store, sources, self.publisher, poll_seconds=settings.outbox_poll_seconds,
            seal=Sealer(self.keys).seal_body if self.keys else None,
        )
        self.leases = Leases(self.db["leases"], self.instance_id)
        self.infra = Infra(
            service=spec.name, settings=settings, regions=self.regions, instance_id=self.instance_id,
            mongo=self.mongo, db=self.db, store=self.store, broker=self.broker, publisher=self.publisher,
            relay=self.relay, leases=self.leases, keys=self.keys, shredder=self._shredder(),
        )
        self.container: C = spec.bootstrap(self.infra)

        self.policy = ConsumerPolicy(
            max_deliver=settings.consumer_max_deliver,
            ack_wait_seconds=settings.consumer_ack_wait_seconds,
            backoff_base_seconds=settings.consumer_backoff_base_seconds,
            backoff_max_seconds=settings.consumer_backoff_max_seconds,
        )
        self.inbox = Inbox(self.db)
        self.dead_letters = spec.dead_letters(self.db)
        # every service keeps its own copy of who may still use a staff token (koonto.shared.staff_directory)
        self.staff_directory = StaffDirectory(
            self.store[STAFF_DIRECTORY], cache_seconds=settings.staff_directory_cache_seconds
        )
        self.consumers = [
            Consumer(
                service=spec.name, subscription=s, inbox=self.inbox, dead_letters=self.dead_letters,
                policy=self.policy, region=self.regions.home.code, deps=self.container,
                opener=Opener(self.keys) if self.keys and spec.opens_sealed else None,
            )
            for s in [*spec.subscriptions, self.staff_directory.subscription()]
        ]
        for consumer in self.consumers:
            consumer.register(self.broker)
        tracing.configure(spec.name, settings.otlp_endpoint)
        self.token_verifier: TokenVerifier = (
            spec.token_verifier(self.container) if spec.token_verifier
            else TokenVerifier(JwksCache(settings.staff_jwks_url))
        )
        self._tasks: list[asyncio.Task[Any]] = []
        self.broker_ready = asyncio.Event()
        self.store_ready = asyncio.Event()
        self.app = self._build_app()

    def _keys(self) -> Keys | None:
        if not (self.spec.owns_key_store or self.spec.opens_sealed):
            return None
        s = self.settings
        return sealing_keys.build_keys(
            self.store[sealing_keys.COLLECTION], owner=self.spec.owns_key_store, url=s.key_store_url,
            token=s.key_store_token, cache_seconds=s.key_store_cache_seconds, production=s.mode == "production",
            default_token=LOCAL_ONLY_KEY_STORE_TOKEN,
        )

    def _shredder(self) -> Shredder | None:
        if not (self.spec.owns_key_store and isinstance(self.keys, SubjectKeys)):
            return None
        return Shredder(
            self.keys, self.store[SHREDS], lambda: self.broker.config.connection_state.stream,
            interval_seconds=self.settings.key_shred_interval_seconds,
            max_wait_seconds=self.settings.key_shred_max_wait_seconds,
        )

    # -- lifecycle ---------------------------------------------------------------------------------------
    def _indexes(self) -> IndexSpec:
        spec: dict[str, list[Any]] = {k: list(v) for k, v in self.spec.indexes.items()}
        if isinstance(self.keys, SubjectKeys):
            spec.setdefault(sealing_keys.COLLECTION, []).extend(sealing_keys.INDEXES)
        for collection, indexes in self.relay.indexes.items():
            spec.setdefault(collection, []).extend(indexes)
        spec.setdefault(DeadLetters.COLLECTION, []).extend(DeadLetters.INDEXES)
        return spec

    async def start(self) -> None:
        """Returns at once: the HTTP side serves /healthz and /readyz while the store and NATS come up."""
        self._tasks.append(asyncio.create_task(self._boot(), name=f"{self.spec.name}-boot"))

    async def _boot(self) -> None:
        while True:
            try:
                await wait_for_store(self.db, attempts=1_000_000, delay=1.0)
                await self.store.detect()
                await ensure_indexes(self.db, self._indexes())
                for hook in self.spec.on_startup:
                    await hook(self.container)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("store not ready yet; retrying", error=repr(exc))
                await asyncio.sleep(1.0)
        self.store_ready.set()
        self.relay.start()
        await self._start_broker()

    async def _start_broker(self) -> None:
        """Connect (retrying while NATS is away), declare the stream, then start consumers and jobs."""
        delay = 0.5
        while True:
            try:
                await self.broker.connect()
                js = self.broker.config.connection_state.stream
                await ensure_stream(js, self.settings.stream_replicas)
                await self.broker.start()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("NATS not reachable yet; retrying", error=repr(exc), retry_in=delay)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self.broker_ready.set()
        self.relay.notify()
        for job in self.spec.jobs:
            self._tasks.append(asyncio.create_task(self._run_job(job), name=f"{self.spec.name}-{_job_name(job)}"))
        if self.infra.shredder is not None:
            self._tasks.append(asyncio.create_task(self.infra.shredder.run(), name=f"{self.spec.name}-key-shredder"))
        log.info("service started", service=self.spec.name, consumers=[c.name for c in self.consumers])

    async def _run_job(
        self, job: Callable[[C], Awaitable[None]], first_delay: float = 1.0, max_delay: float = 30.0
    ) -> None:
        """Runs a background job for the life of the service: one that crashes (a store or broker hiccup its
        own retries did not cover) is started again after a growing delay, never left dead."""
        name = _job_name(job)
        delay = first_delay
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await job(self.container)
                return  # a job that ends by itself is done
            except asyncio.CancelledError:
                raise
            except Exception:
                if asyncio.get_running_loop().time() - started > 60:
                    delay = first_delay  # it ran a good while: a fresh fault, not a crash loop
                log.exception("background job crashed; starting it again", job=name, restart_in=delay)
                JOB_RESTARTS.labels(self.spec.name, name).inc()
                await asyncio.sleep(delay)
                delay = min(delay * 2, max_delay)

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop relay, jobs, consumers and connections, within `timeout` seconds in all: a task that will not end
        is logged with its stack and left behind, so a stop always returns (a rolling update never hangs)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._report_stuck("outbox relay", await self.relay.stop(timeout=timeout / 3))
        self._report_stuck("background jobs", await cancel_and_wait(self._tasks, max(1.0, deadline - loop.time())))
        self._tasks.clear()
        for hook in self.spec.on_stop:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(max(1.0, deadline - loop.time())):
                    await hook(self.container)
        closers = [self.broker.stop, self.mongo.close]
        if isinstance(self.keys, sealing_keys.KeyStoreClient):
            closers.insert(0, self.keys.aclose)
        for close in closers:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(max(1.0, deadline - loop.time())):
                    await close()

    def _report_stuck(self, what: str, pending: set[asyncio.Task[Any]]) -> None:
        if pending:
            log.error(
                "tasks did not stop in time; left behind",
                service=self.spec.name,
                what=what,
                tasks=sorted(t.get_name() for t in pending),
                stacks=[task_stack(t) for t in pending],
            )

    async def readiness(self) -> dict[str, bool]:
        connection = getattr(self.broker, "_connection", None)
        nats_ok = bool(self.broker_ready.is_set() and connection is not None and connection.is_connected)
        store_ok = self.store_ready.is_set() and await ping(self.db, timeout=1.5)
        return {"nats": nats_ok, "store": store_ok}

    # -- web ---------------------------------------------------------------------------------------------
    def _build_app(self) -> FastAPI:
        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(title=self.spec.title, version="1.0.0", lifespan=lifespan, dependencies=[BODY_LIMIT],
                      default_response_class=OrjsonResponse)
        app.state.runtime = self
        app.state.container = self.container
        install_body_limit(app, self.settings.max_body_bytes)  # first, so the innermost middleware
        unavailable = Unavailable(self.spec.name, self.settings.unavailable_retry_after_seconds)
        app.add_middleware(RequestDeadline, seconds=self.settings.request_timeout_seconds, answer=unavailable)
        # trace, language, region, request metrics: one layer
        app.add_middleware(RequestEdge, service=self.spec.name, regions=self.regions)
        error_pages = ErrorPages(self.spec.name, sign_in_url=f"{self.settings.advisory_public_url}/login")
        app.state.error_pages = error_pages  # for a service's own errors on its pages
        install_error_handlers(app, unavailable, error_pages)
        app.include_router(ops_router())
        app.include_router(dead_letter_router())  # every service consumes at least staff-updated
        if self.spec.owns_key_store:
            app.include_router(key_store_router())
        app.mount("/static/shared", StaticFiles(directory=SHARED_STATIC), name="shared-static")
        for router in self.spec.routers:
            app.include_router(router)
        if self.spec.configure_app:
            self.spec.configure_app(app, self.container)
        return app


def _job_name(job: Callable[..., Any]) -> str:
    return str(getattr(job, "__name__", None) or getattr(getattr(job, "__func__", None), "__name__", "job"))


EVENT_LOOP = "asyncio" if sys.platform == "win32" else "uvloop"  # uvloop is not built for Windows


def serve(create_runtime: Callable[[], Runtime[Any]]) -> None:
    """Entry point of `python -m koonto.<service>`. SIGINT or SIGTERM stops it gracefully (uvicorn's shutdown, then
    `Runtime.stop`) and the process exits with status 0: uvicorn raises the signal again once it has shut down,
    which by default would end the process by that signal (SIGTERM) or a KeyboardInterrupt traceback (SIGINT)."""
    runtime = create_runtime()  # the service's settings from the environment
    settings = runtime.settings
    configure_logging(runtime.spec.name, settings.log_level, settings.log_json)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stopped)  # uvicorn's own handlers replace these while it runs
    uvicorn.run(
        runtime.app, host=settings.http_host, port=settings.http_port, log_level=settings.log_level.lower(),
        access_log=False, lifespan="on", loop=EVENT_LOOP, http="httptools",
    )


def _stopped(signum: int, _frame: FrameType | None) -> None:
    """A stop signal outside uvicorn's run: the one uvicorn raises again after its graceful shutdown (or one that
    arrives before uvicorn took over the signals). Nothing is left to stop: exit with status 0, no traceback."""
    raise SystemExit(0)
