"""The worker: one pass sends every due delivery of the batch, and asks the fan-out for more when the queue runs
low; the rate limiter spaces the starts."""

from __future__ import annotations

import asyncio
import contextlib

from koonto.notify.samples import sample
from koonto.notify.use_cases.worker import RateLimiter
from tests.notify.unit.conftest import Notify
from tests.support.polling import eventually
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


def _plan(notify: Notify, channel: str, i: int) -> dict[str, object]:
    address = f"+35840123{i:04d}" if channel == "sms" else f"p{i}@example.fi"
    return notify.container.planner.plan(
        envelope(idea_submitted()), kind="status-update", channel=channel, address=address, language="fi",
        name=None, context=sample("status-update"), recipient_ref=f"{channel}{i}",
    )


async def test_each_channel_has_its_own_cap_so_slow_sms_never_hold_up_the_mails(notify: Notify) -> None:
    worker = notify.container.worker
    worker.limiters = {"email": RateLimiter(10_000.0), "sms": RateLimiter(4.0)}  # 4 SMS take 0.75 s at least
    order: list[str] = []
    send_mail, send_sms = notify.mailer.send, notify.sms.send

    async def mail(message, before_data=None):  # type: ignore[no-untyped-def]
        order.append("email")
        return await send_mail(message, before_data)

    async def sms(to: str, body: str, **kw):  # type: ignore[no-untyped-def]
        order.append("sms")
        return await send_sms(to, body, **kw)

    notify.mailer.send, notify.sms.send = mail, sms  # type: ignore[method-assign]
    # the SMS first in the batch: under one cap for both channels the mails would wait behind them
    await notify.container.planner.enqueue([_plan(notify, "sms", i) for i in range(4)])
    await notify.container.planner.enqueue([_plan(notify, "email", i) for i in range(6)])
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await worker.work_once(set(), asyncio.Semaphore(8)) == 10
    assert loop.time() - started >= 0.74  # the SMS cap held: 4 starts spaced 0.25 s apart
    assert order.count("sms") == 4 and order.count("email") == 6
    assert order[-1] == "sms" and order.index("sms", 1) > max(i for i, c in enumerate(order) if c == "email")


async def test_a_stop_leaves_the_sends_held_by_the_cap_queued_and_unclaimed(notify: Notify) -> None:
    worker = notify.container.worker
    worker.limiters = {"email": RateLimiter(2.0), "sms": RateLimiter(2.0)}
    await notify.container.planner.enqueue([_plan(notify, "email", i) for i in range(5)])
    task = asyncio.create_task(worker.run())
    async def mails_sent() -> int:
        return len(notify.mailer.sent)

    await eventually(mails_sent, until=lambda n: n >= 1, timeout=5, what="the first mail")
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    sent = len(notify.mailer.sent)
    assert 1 <= sent < 5  # the stop did not rush the held sends out
    queued = await notify.queue()
    assert len(queued) == 5 - sent and all(d["status"] == "pending" for d in queued)


async def test_a_batch_leaves_the_queue_in_one_write_and_a_stop_still_settles_what_it_recorded(
    notify: Notify,
) -> None:
    worker = notify.container.worker
    queue = notify.infra.store["delivery_queue"]
    single, bulk = queue.delete_one, queue.delete_many
    deletes: list[str] = []

    async def delete_one(*args, **kwargs):  # type: ignore[no-untyped-def]
        deletes.append("one")
        return await single(*args, **kwargs)

    async def delete_many(*args, **kwargs):  # type: ignore[no-untyped-def]
        deletes.append("many")
        return await bulk(*args, **kwargs)

    queue.delete_one, queue.delete_many = delete_one, delete_many  # type: ignore[method-assign]
    await notify.container.planner.enqueue([_plan(notify, "email", i) for i in range(5)])
    assert await worker.work_once(set(), asyncio.Semaphore(2)) == 5
    assert deletes == ["many"] and await notify.queue() == [] and len(await notify.log()) == 5

    # stopped while the batch waits on its cap: the mails already sent leave the queue at the stop
    deletes.clear()
    worker.limiters = {"email": RateLimiter(3.0), "sms": RateLimiter(3.0)}
    await notify.container.planner.enqueue([_plan(notify, "email", i) for i in range(10, 16)])
    task = asyncio.create_task(worker.run())

    async def mails_sent() -> int:
        return len(notify.mailer.sent)

    await eventually(mails_sent, until=lambda n: n >= 7, timeout=5, what="two mails of the second batch")
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    sent = len(notify.mailer.sent) - 5
    queued = await notify.queue()
    assert len(await notify.log()) == 5 + sent
    assert len(queued) == 6 - sent and all(d["status"] == "pending" for d in queued)  # none left "sending"


async def test_a_delivery_queued_while_the_worker_looks_is_sent_without_waiting_for_the_poll(notify: Notify) -> None:
    """The receipt's insert lands while the worker's look-up for due deliveries runs (too late for its answer): the
    wake-up it gives must not be lost. The poll interval is an hour, so only the wake-up can send it in time."""
    worker = notify.container.worker
    worker.settings = worker.settings.model_copy(update={"worker_poll_seconds": 3600.0})
    deliveries = notify.container.store.deliveries
    look_up, looked = deliveries.due, 0

    async def due(now, limit):  # type: ignore[no-untyped-def]
        nonlocal looked
        looked += 1
        found = await look_up(now, limit)
        if looked == 1:  # the first look-up has read the queue (empty); the receipt is queued before it returns
            await notify.container.planner.enqueue([_plan(notify, "email", 1)])
        return found

    deliveries.due = due  # type: ignore[method-assign]
    task = asyncio.create_task(worker.run())
    try:
        async def mails_sent() -> int:
            return len(notify.mailer.sent)

        await eventually(mails_sent, until=lambda n: n == 1, timeout=10, what="the mail queued during the look-up")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
