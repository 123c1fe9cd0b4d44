"""Small asyncio helpers that keep cancellation intact.

On Python 3.11, `asyncio.wait_for(event.wait(), t)` swallows a cancellation that arrives in the same loop
iteration as the event being set: it returns normally and the caller's `while True` loop goes on, so a service's
shutdown waits for a task that will never end. `asyncio.timeout` counts cancellations and does not lose them;
every "sleep until woken or until the poll interval" in the services goes through `wait_event`.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Wait until `event` is set or `timeout` seconds pass; True when it was set. A cancel always propagates."""
    if event.is_set():
        return True
    try:
        async with asyncio.timeout(max(0.0, timeout)):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def within(awaitable: Awaitable[T], timeout: float) -> T:
    """`awaitable` with a deadline (TimeoutError after it); unlike 3.11's `wait_for`, never loses a cancel."""
    async with asyncio.timeout(timeout):
        return await awaitable


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]], timeout: float) -> set[asyncio.Task[Any]]:
    """Cancel `tasks` and wait for them to end, cancelling again while any still runs (library code may swallow a
    cancel). Returns the tasks still running after `timeout` seconds; the caller reports them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - loop.time()
        if left <= 0:
            break
        _, pending = await asyncio.wait(pending, timeout=min(1.0, left))
    return pending


async def drain(tasks: set[asyncio.Task[Any]], timeout: float) -> set[asyncio.Task[Any]]:
    """Let `tasks` (work already under way, such as a mail past SMTP DATA) finish, for at most `timeout` seconds,
    from inside a task that is being cancelled. `cancel_and_wait` cancels again every second while a task runs;
    those repeats are ridden out here, so a stop does not close the store and the SMTP pool under a send whose
    outcome would then be unknown. The caller re-raises its own cancel afterwards. Returns the tasks still
    running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = {t for t in tasks if not t.done()}
    while pending and (left := deadline - loop.time()) > 0:
        try:
            _, pending = await asyncio.wait(pending, timeout=left)
        except asyncio.CancelledError:
            pending = {t for t in pending if not t.done()}  # a repeated stop request: keep waiting until the deadline
    return pending


def task_stack(task: asyncio.Task[Any]) -> str:
    """Where a task is waiting, for a log line."""
    frames = task.get_stack()
    return "".join(traceback.format_stack(frames[-1])) if frames else ""


async def every(seconds: float, work: Callable[[], Awaitable[object]], *, log: Any, failed: str) -> NoReturn:
    """Run `work` every `seconds` until cancelled: a pass that fails is logged to `log` (`failed`, the error) and
    the next pass tries again; a cancel always propagates."""
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(failed, error=repr(exc))
        await asyncio.sleep(seconds)
