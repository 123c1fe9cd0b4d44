"""Reporting's background jobs, each run by the one replica holding its lease (`koonto.shared.mongo.Leases`):

- `build_checkpoints`: the as-of checkpoint of every ended day (Europe/Helsinki) built ahead, so that no request
  pays for the build (`use_cases.as_of`); it looks `checkpoint_days_back` days back for a day without one and
  builds them oldest first, each on the one before. A request for a day without a checkpoint still builds it.
- `compact_markers`: the event markers of applied facts removed from the active generation's counters once they
  are older than the grace period (`store.compaction`).

Each makes its first pass one interval after the start (a starting replica is busy catching up), then one per
interval. The lease only saves work: two holders in an overlap (a lease that expired during a long build) still
build a day once in effect (`Checkpoints.register` keeps the first, the other drops its copy), and two compaction passes
unset the same fields, which changes nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from koonto.reporting.bootstrap import ReportingContainer
from koonto.reporting.store.compaction import Compacted, compact
from koonto.shared.clock import helsinki_date
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Leases

log = get_logger(__name__)
CHECKPOINT_LEASE = "reporting-checkpoints"
COMPACTION_LEASE = "reporting-marker-compaction"
LEASE_INTERVALS = 3  # a lease outlives this many intervals: the holder keeps it from one pass to the next


async def checkpoint_tick(deps: ReportingContainer, leases: Leases, *, today: date | None = None) -> list[date]:
    """One pass of `build_checkpoints`: the days it built (none when another replica holds the lease)."""
    ttl = timedelta(seconds=deps.settings.checkpoint_interval_seconds * LEASE_INTERVALS)
    if not await leases.acquire(CHECKPOINT_LEASE, ttl):
        return []
    today = today or helsinki_date(deps.clock())
    built = []
    for back in range(deps.settings.checkpoint_days_back, 0, -1):
        day = today - timedelta(days=back)
        if await deps.as_of.checkpoints.of_day(day) is None:
            await deps.as_of.models(day)  # shared with a request building the same day meanwhile
            built.append(day)
    return built


async def compaction_tick(deps: ReportingContainer, leases: Leases) -> Compacted | None:
    """One pass of `compact_markers` (None when another replica holds the lease)."""
    ttl = timedelta(seconds=deps.settings.marker_compaction_interval_seconds * LEASE_INTERVALS)
    if not await leases.acquire(COMPACTION_LEASE, ttl):
        return None
    return await compact(await deps.read_models(), int(deps.settings.marker_grace_seconds * 1000))


async def _every(deps: ReportingContainer, lease: str, interval: float,
                 tick: Callable[[ReportingContainer, Leases], Awaitable[object]]) -> None:
    leases = deps.infra.leases
    try:
        while True:
            await asyncio.sleep(interval)  # not at startup: a replica starting is busy catching up with the stream
            try:
                done = await tick(deps, leases)
                if done:
                    log.info("reporting job did work", job=lease, done=repr(done))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reporting job pass failed; the next pass retries", job=lease)
    finally:
        with contextlib.suppress(Exception):
            await leases.release(lease)


async def build_checkpoints(deps: ReportingContainer) -> None:
    await _every(deps, CHECKPOINT_LEASE, deps.settings.checkpoint_interval_seconds, checkpoint_tick)


async def compact_markers(deps: ReportingContainer) -> None:
    await _every(deps, COMPACTION_LEASE, deps.settings.marker_compaction_interval_seconds, compaction_tick)
