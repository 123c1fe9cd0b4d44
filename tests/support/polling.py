"""Waiting for the system to reach a state: poll with a deadline, never sleep-and-hope."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float = 60.0,
    interval: float = 0.05,
    what: str = "condition",
) -> T:
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = await probe()
        if until(last):
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s; last value: {last!r}")
        await asyncio.sleep(interval)


async def stays(
    probe: Callable[[], Awaitable[T]], *, until: Callable[[T], bool], duration: float = 1.0, interval: float = 0.1
) -> T:
    """Asserts that a condition holds for a while (e.g. 'no second mail arrives')."""
    deadline = time.monotonic() + duration
    while True:
        value = await probe()
        assert until(value), f"condition broke: {value!r}"
        if time.monotonic() > deadline:
            return value
        await asyncio.sleep(interval)
