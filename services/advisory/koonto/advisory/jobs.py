"""Scheduled work: reminders, the first-contact service level and funding-call notices.

One replica at a time holds the scheduler lease and runs the tick; each firing is still a conditional
single-document write (see `Advisory.tick`), so an overlap of two holders never fires anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING

from koonto.shared.logs import get_logger

if TYPE_CHECKING:
    from koonto.advisory.service import Advisory
    from koonto.shared.runtime import Job, Runtime

log = get_logger(__name__)
LEASE = "advisory-scheduler"


def scheduler(advisory: Advisory) -> Job:
    async def run_scheduler(runtime: Runtime) -> None:
        settings = advisory.settings
        ttl = timedelta(seconds=settings.scheduler_lease_seconds)
        try:
            while True:
                try:
                    if await runtime.leases.acquire(LEASE, ttl):
                        report = await advisory.tick()
                        if report.sla or report.followups or report.call_notices:
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
                await runtime.leases.release(LEASE)

    return run_scheduler
