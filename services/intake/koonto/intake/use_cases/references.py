"""This replica's blocks of idea reference numbers (the hi-lo scheme and its trade-offs: `domain/reference.py`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from koonto.intake.domain.reference import NumberBlock
from koonto.intake.store import ReferenceCounters


@dataclass
class References:
    counters: ReferenceCounters
    max_block: int
    monotonic: Callable[[], float] = time.monotonic
    _blocks: dict[str, NumberBlock] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _waiting: dict[str, int] = field(default_factory=dict)

    async def take(self, key: str) -> int:
        """The next number of counter `key` (one per year): from memory, or one counter update for a new block
        sized to the pace (the requests waiting for it included). A new key returns the older keys' rests."""
        if key not in self._blocks:
            for older in [k for k in self._blocks if k < key]:
                await self.hand_back(older)
        block = self._blocks.setdefault(key, NumberBlock(self.max_block))
        number = block.take(self.monotonic())
        if number is not None:
            return number
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                number = block.take(self.monotonic())  # a request before this one may have reserved already
                if number is None:
                    await self._reserve(key, block, also_waiting=self._waiting[key] - 1)
                    number = block.take(self.monotonic())
        finally:
            self._waiting[key] -= 1
        assert number is not None  # a reservation adds at least one number
        return number

    def give_back(self, key: str, number: int) -> None:
        """A number taken for an idea that was not stored (a duplicate): handed out next."""
        self._blocks[key].give_back(number)

    async def hand_back(self, key: str) -> None:
        block = self._blocks.pop(key, None)
        for first, last in reversed(block.release() if block else []):  # the highest first: it may set the counter back
            await self.counters.hand_back(key, first, last)

    async def hand_back_all(self) -> None:
        """At a stop: every number held goes back, so a stopped replica leaves no gap."""
        for key in list(self._blocks):
            await self.hand_back(key)

    async def _reserve(self, key: str, block: NumberBlock, *, also_waiting: int) -> None:
        size = min(self.max_block, block.next_size(self.monotonic()) + also_waiting)
        first, last, returned = await self.counters.reserve(key, size)
        if returned:
            claimed = await self.counters.claim_returned(key)
            if claimed is not None:
                block.add(*claimed)  # handed out before the fresh block: the hole closes first
        block.add(first, last)
