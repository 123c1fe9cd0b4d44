"""The worker: one pass sends every due delivery of the batch, and asks the fan-out for more when the queue runs
low; the rate limiter spaces the starts."""

from __future__ import annotations

import asyncio

from koonto.notify.samples import sample
from koonto.notify.use_cases.worker import RateLimiter
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope, idea_submitted


async def test_one_pass_sends_the_due_batch(notify: Notify) -> None:
    planner = notify.container.planner
    docs = [
        planner.plan(
            envelope(idea_submitted()), kind="receipt", channel="email", address=f"p{i}@example.fi", language="fi",
            name=None, context=sample("receipt"), recipient_ref=f"r{i}",
        )
        for i in range(3)
    ]
    await planner.enqueue(docs)
    inflight: set[asyncio.Task[None]] = set()
    assert await notify.container.worker.work_once(inflight, asyncio.Semaphore(2)) == 3
    assert not inflight and len(notify.mailer.sent) == 3
    assert notify.container.signals.fanout.is_set()  # fewer than a batch: the fan-out may expand more
    assert [d["status"] for d in await notify.log()] == ["sent"] * 3
    assert len(await notify.published()) == 3
    assert await notify.container.worker.work_once(inflight, asyncio.Semaphore(2)) == 0


async def test_the_rate_limiter_spaces_the_starts() -> None:
    limiter = RateLimiter(100.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(4):
        await limiter.wait()
    assert loop.time() - started >= 0.029
