"""Rebuild every read model from the first event of the KOONTO stream, then switch over without downtime.

    python -m koonto.reporting.replay [--no-progress] [--keep-old]

1. A new generation `g<timestamp>` is created beside the active one; the running service keeps reading the
   active generation and its live consumers keep writing into it.
2. The stream is read from its first message up to the last one at start, through a temporary consumer of
   its own, in batches of 1000, and every event is applied to the new generation with the very code the live
   consumers run (`use_cases.projection.apply_event`), but against `store.BulkReadModels`: nobody else writes the new
   generation yet, so the events are folded in memory and written once per window (one write per counter touched,
   whole case documents; see `store.bulk`). A window is written as soon as the store has finished the previous
   one and `MIN_FLUSH` events are folded, or when `FLUSH_EVERY` are: the store writes a window while the next one
   is folded, and the windows grow when the store is the slower of the two; an event about a case that comes before
   its idea is parked until the idea comes, as in the live service. What reached the stream during the
   rebuild is folded in the same way (a few more bulk passes, while there is at least a batch of it).
3. One write to `reporting_meta` makes the new generation active. From then on the live consumers (which read
   the active generation name per event) write into it and the pages read from it.
4. Catch-up: everything that reached the stream up to the switch is applied too, event by event through the
   live path (`ReadModels`), because the live consumers write this generation now as well (they may already have
   applied some of these after the switch; counters are idempotent per event id, so overlap never double counts).
   One pass suffices: whatever was published after the switch reaches the live consumers after it, and they
   pick the active generation per event.
5. The previous generation's collections are dropped (unless --keep-old).

One replay runs at a time (a lease in the service's database, renewed while it runs), so a second one cannot drop
the generation the first is still building. A replay that is killed leaves a half-built generation nobody reads;
the next one may start once the lease has expired (`LEASE_TTL`), builds a generation of its own from the first
event and drops the half-built one with the other inactive ones.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import socket
import sys
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import nats
import nats.errors
import nats.js.api as js_api
import nats.js.errors
from nats.js.client import JetStreamContext
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from koonto.reporting import decode
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import BulkReadModels, Generations, ReadModels
from koonto.reporting.use_cases.projection import apply_event
from koonto.shared.bus import STREAM_NAME
from koonto.shared.clock import utcnow
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Leases, Store, make_client

BATCH = 64           # catch-up fetches (applied one by one through the live path)
INACTIVE_THRESHOLD = 900.0  # s a temporary consumer outlives its last fetch (a slow store can take a while per batch)
BULK_BATCH = 1000    # rebuild fetches
FLUSH_EVERY = 20_000  # events folded in memory between two bulk writes, at most
MIN_FLUSH = 2_000    # events folded before a window is written early, when the store has nothing left to write
MORE_BULK_PASSES = 3  # bulk passes over what arrived during the previous one, before switching
MAX_CASES = 200_000  # case documents kept in memory while rebuilding (then written and read back when needed)
MAX_SEEN = 2_000_000  # event ids remembered to skip duplicates (then facts are written and looked up)
CONNECT_TIMEOUT_MS = 60_000
REPLAY_LEASE = "reporting-replay"
# the lease is renewed while the replay runs, so a replay that was killed keeps the next one out for LEASE_TTL at
# most (a restart then builds a generation of its own and drops the half-built one: nothing is counted twice)
LEASE_TTL = timedelta(minutes=5)
LEASE_RENEW_SECONDS = 30.0


@dataclass
class ReplayResult:
    generation: str
    previous: str
    read: int = 0
    applied: int = 0
    ignored: int = 0
    undecodable: int = 0
    unresolved: int = 0
    caught_up: int = 0
    dropped: list[str] = field(default_factory=list)


def new_generation_name() -> str:
    return f"g{utcnow():%Y%m%d%H%M%S}{secrets.token_hex(2)}"


class _Applier:
    def __init__(self, models: ReadModels, result: ReplayResult, home: str | None = None) -> None:
        self.models = models
        self.result = result
        self.home = home  # the deployment's home region (`use_cases.projection`)

    async def feed(self, body: bytes) -> None:
        self.result.read += 1
        try:
            envelope = Envelope.read_json(body)  # the tolerant reader, as the live consumers read
        except ValueError:  # (a ValidationError or a JSON error)
            self.result.undecodable += 1
            return
        try:
            if await apply_event(self.models, envelope, home=self.home):
                self.result.applied += 1
            else:
                self.result.ignored += 1
        except ValidationError:
            self.result.undecodable += 1  # the live consumer dead-letters the same event


async def _temporary_consumer(js: JetStreamContext, start_seq: int) -> tuple[Any, str]:
    name = f"reporting-replay-{secrets.token_hex(4)}"
    config = js_api.ConsumerConfig(
        durable_name=name, deliver_policy=js_api.DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start_seq,
        ack_policy=js_api.AckPolicy.NONE, filter_subject="koonto.>", inactive_threshold=INACTIVE_THRESHOLD,
        max_ack_pending=-1,
    )
    return await js.pull_subscribe("koonto.>", durable=name, stream=STREAM_NAME, config=config), name


async def _batches(
    js: JetStreamContext, start_seq: int, end_seq: int, batch: int
) -> AsyncGenerator[list[tuple[int, bytes]], None]:
    """The messages with stream sequence in [start_seq, end_seq], as (sequence, body) batches of up to `batch`,
    through a temporary consumer that is deleted afterwards. Ends early when the stream has nothing more (its
    end was deleted by limits)."""
    if end_seq < start_seq:
        return
    sub, name = await _temporary_consumer(js, start_seq)
    last = start_seq - 1
    try:
        while last < end_seq:
            try:
                messages = await sub.fetch(min(batch, end_seq - last), timeout=2.0)
            except (nats.errors.TimeoutError, TimeoutError):
                return
            found = [(m.metadata.sequence.stream, m.data) for m in messages]
            found = [(seq, body) for seq, body in found if seq <= end_seq]
            if not found:
                return
            last = found[-1][0]
            yield found
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
        with contextlib.suppress(Exception):
            await js.delete_consumer(STREAM_NAME, name)


async def _rebuild_range(
    js: JetStreamContext, start_seq: int, end_seq: int, models: BulkReadModels, result: ReplayResult,
    progress: Progress | None, task: object, flush_every: int = FLUSH_EVERY, *, home: str | None = None,
) -> int:
    """Fold every message with stream sequence in [start_seq, end_seq] into `models`, writing every
    `flush_every` events and at the end; returns the last sequence read."""
    last = start_seq - 1
    try:
        async with contextlib.aclosing(_batches(js, start_seq, end_seq, BULK_BATCH)) as batches:
            async for found in batches:
                envelopes = []
                for seq, body in found:
                    last = seq
                    result.read += 1
                    try:
                        envelopes.append(decode.envelope(body))  # validated when published: not again
                    except ValueError:  # (a ValidationError or a JSON error)
                        result.undecodable += 1
                await models.known_facts(env.id for env in envelopes)
                for envelope in envelopes:
                    try:
                        if await apply_event(models, envelope, decode.event_data(envelope), home=home):
                            result.applied += 1
                        else:
                            result.ignored += 1
                    except ValidationError:
                        result.undecodable += 1  # the live consumer dead-letters the same event
                models.events_pending += len(envelopes)
                # a window is written when it is full, or as soon as the store is done with the previous one (and
                # this one is worth a write): the store then works while the next window is folded
                pending = models.events_pending
                if pending >= flush_every or (pending >= min(MIN_FLUSH, flush_every) and not models.writing):
                    await models.flush()
                if progress is not None:
                    progress.advance(task, len(found))  # type: ignore[arg-type]
        await models.flush(final=True)
    finally:
        with contextlib.suppress(Exception):
            await models.drain()
    return last


async def _read_range(
    js: JetStreamContext, start_seq: int, end_seq: int, feed: _Applier, progress: Progress | None, task: object
) -> int:
    """Feed every message with stream sequence in [start_seq, end_seq] one by one through the live path;
    returns the last sequence read."""
    last = start_seq - 1
    async with contextlib.aclosing(_batches(js, start_seq, end_seq, BATCH)) as batches:
        async for found in batches:
            for seq, body in found:
                await feed.feed(body)
                last = seq
                if progress is not None:
                    progress.advance(task)  # type: ignore[arg-type]
    return last


class _Held:
    """The replay's lease, renewed every `LEASE_RENEW_SECONDS` while the replay runs (`lost` once a renewal found
    it taken: another replay may drop this generation then, so this one must not switch to it)."""

    def __init__(self, lease: Leases) -> None:
        self.lease = lease
        self.lost = False
        self._task = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        while not self.lost:
            await asyncio.sleep(LEASE_RENEW_SECONDS)
            with contextlib.suppress(Exception):  # a store hiccup: the TTL leaves room for the next renewals
                self.lost = not await self.lease.acquire(REPLAY_LEASE, LEASE_TTL)

    async def release(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        with contextlib.suppress(Exception):
            await self.lease.release(REPLAY_LEASE)


async def replay(
    settings: ReportingSettings, *, show_progress: bool = True, keep_old: bool = False,
    console: Console | None = None, flush_every: int = FLUSH_EVERY, max_cases: int = MAX_CASES,
    max_seen: int = MAX_SEEN,
) -> ReplayResult:
    """Rebuild, switch, catch up (see the module's docstring). `flush_every`, `max_cases` and `max_seen` bound
    the memory the rebuild holds: events folded between two bulk writes, case documents kept in memory, event ids
    remembered."""
    console = console or Console(stderr=True)
    # a window's bulk writes are encoded on the event loop, which can keep it busy for seconds: a connection the
    # pool opens meanwhile must not give up on its handshake after the services' 2 s (seen as "operation cancelled")
    client = make_client(settings.mongo_url, connect_timeout_ms=CONNECT_TIMEOUT_MS)
    nc = await nats.connect(settings.nats_url, name="koonto-reporting-replay")
    db = client[settings.mongo_database]
    store = Store(db)
    lease = Leases(db["leases"], f"replay-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}")
    if not await lease.acquire(REPLAY_LEASE, LEASE_TTL):
        await nc.close()
        await client.close()
        raise SystemExit(f"Another replay is running (or one stopped less than {LEASE_TTL.total_seconds() / 60:g} "
                         "minutes ago); wait for it to finish.")
    held = _Held(lease)
    try:
        generations = Generations(store)
        previous = await generations.ensure()
        generation = new_generation_name()
        building = BulkReadModels(store, generation, max_cases=max_cases, max_seen=max_seen)
        models = ReadModels(store, generation, steps=generations.steps)
        result = ReplayResult(generation=generation, previous=previous)
        applier = _Applier(models, result, settings.region)
        js = nc.jetstream()
        try:
            state = (await js.stream_info(STREAM_NAME)).state
        except nats.js.errors.NotFoundError:
            raise SystemExit(f"No stream {STREAM_NAME} at {settings.nats_url}: nothing to rebuild from.") from None
        first_seq, end_seq = state.first_seq, state.last_seq

        progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), console=console, disable=not show_progress, transient=False,
        )
        with progress:
            task = progress.add_task(f"Rebuilding {generation}", total=max(state.messages, 0))
            last = await _rebuild_range(js, first_seq, end_seq, building, result, progress, task, flush_every,
                                        home=settings.region)
            # what arrived meanwhile, still in bulk while nobody else writes the new generation
            for _ in range(MORE_BULK_PASSES):
                end = (await js.stream_info(STREAM_NAME)).state.last_seq
                if end - last < BULK_BATCH:
                    break
                progress.update(task, total=(progress.tasks[0].total or 0) + (end - last))
                last = await _rebuild_range(js, last + 1, end, building, result, progress, task, flush_every,
                                        home=settings.region)

            # the indexes are built once the bulk passes have written the documents, before anyone reads them: a
            # store keeps an index up to date more slowly, document by document, than it builds it afterwards
            # (the embedded default store inserted about 30 % fewer counters per second into an indexed collection)
            await building.ensure_indexes()
            if held.lost:
                raise SystemExit(f"The replay's lease was taken over while {generation} was built: not switched.")
            result.previous = await generations.switch(generation)

            # Catch up, event by event, with what reached the stream before the switch: the live consumers may
            # have put those into the old generation. Whatever the stream holds past `end` was published after the
            # switch, so the live consumers (which read the active generation per event) put it here.
            before = result.read
            end = (await js.stream_info(STREAM_NAME)).state.last_seq
            if end > last:
                progress.update(task, total=(progress.tasks[0].total or 0) + (end - last))
                last = await _read_range(js, last + 1, end, applier, progress, task)
            result.caught_up = result.read - before
            result.unresolved = await models.parked_count()
        if not keep_old:
            result.dropped = await generations.drop_inactive()
        return result
    finally:
        await held.release()
        await nc.close()
        await client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, CI)")
    parser.add_argument("--keep-old", action="store_true", help="keep the replaced generation's collections")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    result = asyncio.run(replay(ReportingSettings(), show_progress=not args.no_progress, keep_old=args.keep_old,
                                console=console))
    console.print(
        f"[green]Active generation {result.generation}[/green] (was {result.previous}): "
        f"{result.read} events read, {result.applied} applied, {result.ignored} not used by reporting, "
        f"{result.caught_up} caught up after the switch, {result.undecodable} undecodable, "
        f"{result.unresolved} still waiting for their case; dropped {len(result.dropped)} old collections."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
