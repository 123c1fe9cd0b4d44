"""Scheduled work: reminders, the first-contact service level and funding-call notices.

One replica at a time holds the scheduler lease and runs the tick; each firing is still a conditional
single-document write (see `use_cases/scheduler.py`), so an overlap of two holders never fires anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.logs import get_logger

log = get_logger(__name__)
LEASE = "advisory-scheduler"


async def run_scheduler(deps: AdvisoryContainer) -> None:
    settings, leases = deps.settings, deps.infra.leases
    ttl = timedelta(seconds=settings.scheduler_lease_seconds)
    try:
        while True:
            try:
                if await leases.acquire(LEASE, ttl):
                    report = await deps.scheduler.tick()
                    if report:
                        log.info(
                            "scheduler fired",
                            sla=report.sla,
                            followups=report.followups,
                            call_notices=report.call_notices,
                        )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler tick failed; next tick retries")
            await asyncio.sleep(settings.scheduler_interval_seconds)
    finally:
        with contextlib.suppress(Exception):
            await leases.release(LEASE)
