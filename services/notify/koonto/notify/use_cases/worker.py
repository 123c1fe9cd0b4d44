"""The delivery worker: claims due deliveries and sends them at the configured rate, several at a time."""

from __future__ import annotations

import asyncio
import contextlib

from koonto.notify.domain.retry import DeliveryError
from koonto.notify.use_cases.core import Core
from koonto.notify.use_cases.sending import Checks, Sender
from koonto.shared.aio import drain, wait_event
from koonto.shared.logs import get_logger, log_context
from koonto.shared.mongo import Document

log = get_logger(__name__)


class RateLimiter:
    """At most `rate` starts per second (per replica), spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._next = max(self._next, now)
        delay = self._next - now
        self._next += self.interval
        if delay > 0:
            await asyncio.sleep(delay)


class DeliveryWorker:
    def __init__(self, core: Core, sender: Sender, limiters: dict[str, RateLimiter] | None = None) -> None:
        self.settings = core.settings
        self.core = core
        self.signals = core.signals
        self.sender = sender
        # one cap per channel (the mail provider's and the SMS provider's limits are separate)
        self.limiters = limiters or {
            "email": RateLimiter(core.settings.send_rate_per_second),
            "sms": RateLimiter(core.settings.sms_rate_per_second),
        }
        self._waiting: set[asyncio.Task[None]] = set()  # sends not yet started (held by their cap or a connection)
        self._batch: Checks | None = None  # the batch under way: its recorded deliveries leave the queue together

    def wake(self) -> None:
        self.signals.deliveries_queued()

    async def run(self) -> None:
        """Never blocks the consumers (they only write deliveries). On stop, sends already under way are let
        finish."""
        inflight: set[asyncio.Task[None]] = set()
        slots = asyncio.Semaphore(self.settings.smtp_pool_size)
        try:
            while True:
                # cleared before the look-up, not after it: a delivery queued while the look-up runs (too late to be
                # in its answer) leaves the signal set, so it is sent now, not a poll interval later
                self.signals.queued.clear()
                if not await self.work_once(inflight, slots):
                    await wait_event(self.signals.queued, self.settings.worker_poll_seconds)
        except asyncio.CancelledError:
            for task in list(self._waiting):  # not started: nothing was claimed, they stay queued for the next run
                task.cancel()
            left = await drain(inflight, timeout=15)
            if left:
                log.warning("sends still under way at stop; the recovery sweep settles them", deliveries=len(left))
            if self._batch is not None:  # what the stopped batch recorded leaves the queue now, not after a lease
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(self.sender.settle_batch(self._batch), timeout=5)
            raise

    async def work_once(self, inflight: set[asyncio.Task[None]], slots: asyncio.Semaphore) -> int:
        """Sends one batch of due deliveries; returns how many there were."""
        docs = await self.core.store.deliveries.due(self.core.now(), self.settings.worker_batch)
        if len(docs) < self.settings.worker_batch:
            self.signals.queue_low()  # let the fan-out expand its next batch
        if not docs:
            return 0
        checks = self._batch = await self.sender.checks(docs)
        for doc in docs:
            # each send waits for its own channel's cap, then for a connection: an SMS held back by its cap never
            # holds up the mails of the same batch
            task = asyncio.create_task(self._deliver_paced(doc, checks, slots))
            inflight.add(task)
            self._waiting.add(task)
            task.add_done_callback(inflight.discard)
            task.add_done_callback(self._waiting.discard)
        # let this batch finish before the next query, so it is not fetched twice; then its recorded deliveries
        # leave the queue in one write
        if inflight:
            await asyncio.wait(inflight)
        await self.sender.settle_batch(checks)
        self._batch = None
        return len(docs)

    async def _deliver_paced(self, doc: Document, checks: Checks, slots: asyncio.Semaphore) -> None:
        await self.limiters[doc["channel"]].wait()
        async with slots:
            task = asyncio.current_task()
            if task is not None:
                self._waiting.discard(task)  # under way from here: a stop lets it finish
            await self._deliver_guarded(doc, checks)

    async def _deliver_guarded(self, doc: Document, checks: Checks) -> None:
        with log_context(
            delivery=doc["_id"], event_id=doc.get("cause_event_id"), correlation_id=doc.get("correlation_id")
        ):
            try:
                await self.sender.deliver(doc, checks)
            except asyncio.CancelledError:
                raise
            except DeliveryError as exc:  # could not even get a connection: nothing was claimed
                log.warning("provider not reachable; delivery stays queued", error=exc.reason)
                await asyncio.sleep(min(5.0, self.settings.worker_poll_seconds))
            except Exception:
                log.exception("delivery crashed; it will be settled when its lease runs out")
