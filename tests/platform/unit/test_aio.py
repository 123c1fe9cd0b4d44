"""Cancellation-safe waiting: a service's stop must always reach every background loop."""

from __future__ import annotations

import asyncio
import contextlib
import sys

import pytest

from koonto.shared.aio import cancel_and_wait, drain, every, task_stack, wait_event, within


async def test_wait_event_reports_set_or_timed_out() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await wait_event(event, 5) is True
    assert await wait_event(event, 0) is True


async def _poll_loop(event: asyncio.Event, wait: str) -> None:
    while True:  # the shape of every job loop: sleep until woken or until the poll interval
        if wait == "wait_for":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), 10)
        else:
            await wait_event(event, 10)
        event.clear()


async def _cancel_while_woken(wait: str) -> bool:
    """True when the loop ended on a cancel that came in the same iteration as a wake-up."""
    event = asyncio.Event()
    task = asyncio.create_task(_poll_loop(event, wait))
    await asyncio.sleep(0.01)
    event.set()
    await asyncio.sleep(0)  # the event's waiter is resolved; wait_for has not resumed yet
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=0.5)
    if not done:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return bool(done)


async def test_a_cancel_that_meets_a_wake_up_is_not_lost() -> None:
    assert await _cancel_while_woken("wait_event")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="wait_for was rewritten on asyncio.timeout in 3.12")
async def test_the_race_is_real_with_wait_for_on_python_3_11() -> None:
    """The control: the same timing loses the cancel with wait_for (the cause of a hung notify shutdown in CI)."""
    assert not await _cancel_while_woken("wait_for")


async def test_within_times_out_and_passes_results() -> None:
    assert await within(asyncio.sleep(0, result=7), 1) == 7
    with pytest.raises(TimeoutError):
        await within(asyncio.sleep(5), 0.01)


async def test_cancel_and_wait_cancels_again_a_task_that_swallowed_the_first_cancel() -> None:
    swallowed = []

    async def stubborn() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            swallowed.append(1)  # the library bug this guards against
        await asyncio.sleep(10)

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0.01)
    assert await cancel_and_wait([task], 5) == set()
    assert swallowed == [1] and task.cancelled()


async def test_cancel_and_wait_gives_up_at_the_deadline_and_names_what_is_left() -> None:
    release = asyncio.Event()

    async def immortal() -> None:
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(10)

    task = asyncio.create_task(immortal(), name="immortal")
    await asyncio.sleep(0.01)
    assert await cancel_and_wait([task], 0.2) == {task}
    assert "immortal" in task_stack(task)
    release.set()
    task.cancel()
    await asyncio.wait({task}, timeout=1)


class Warnings:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, object]]] = []

    def warning(self, message: str, **fields: object) -> None:
        self.seen.append((message, fields))


async def test_every_logs_a_failed_pass_and_runs_the_next_until_cancelled() -> None:
    passes: list[int] = []

    async def work() -> None:
        passes.append(len(passes) + 1)
        if len(passes) == 1:
            raise RuntimeError("store away")
        if len(passes) == 3:
            raise asyncio.CancelledError

    log = Warnings()
    with pytest.raises(asyncio.CancelledError):
        await every(0, work, log=log, failed="pass failed")
    assert passes == [1, 2, 3]
    assert log.seen == [("pass failed", {"error": "RuntimeError('store away')"})]


async def _worker_with_a_send_under_way(finished: list[str], drain_it: bool) -> None:
    """A worker shaped like notify's: a send runs as its own task; the worker is stopped while it runs."""

    async def send() -> None:
        await asyncio.sleep(2.5)  # longer than the one second between the stop's repeated cancels
        finished.append("sent")

    inflight = {asyncio.create_task(send())}
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        if drain_it:
            await drain(inflight, timeout=10)
        else:
            await asyncio.wait(inflight, timeout=10)
        raise


@pytest.mark.parametrize("drain_it", [True, False])
async def test_drain_lets_a_send_under_way_finish_through_the_stops_repeated_cancels(drain_it: bool) -> None:
    finished: list[str] = []
    worker = asyncio.create_task(_worker_with_a_send_under_way(finished, drain_it))
    await asyncio.sleep(0.05)
    left = await cancel_and_wait([worker], timeout=20)
    assert not left and worker.cancelled()  # the worker's own cancel still propagates
    if drain_it:
        assert finished == ["sent"]  # the stop returned only after the send finished
    else:
        assert finished == []  # the plain wait was cut short by the second cancel: the bug this guards against
    await asyncio.sleep(2.6)


async def test_drain_gives_up_at_its_deadline() -> None:
    slow = asyncio.create_task(asyncio.sleep(30))
    left = await drain({slow}, timeout=0.1)
    assert left == {slow}
    slow.cancel()
