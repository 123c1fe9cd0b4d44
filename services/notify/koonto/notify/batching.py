"""Group commit: writes asked for at the same moment by several concurrent sends go to the store as one.

A caller hands in one item and waits for *its own* result, exactly as if it had written alone. Without a
`linger` nothing is delayed on purpose: the first item is written at once, and whatever arrives while that
write is under way is written together next; with a `linger` a write waits up to that long for more items.
With one send at a time this is one write per item, as before; with eight SMTP connections busy it is several
items per write. No item's write is ever skipped or merged away, so each caller's guarantee (e.g. "the mark
is in the store before my DATA") is kept one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """`write(items)` returns one result per item, in order; an exception fails every caller of that write."""

    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[Sequence[Result]]],
        max_batch: int = 500,
        linger: float = 0.0,
    ) -> None:
        self._write = write
        self._max = max_batch
        self._linger = linger
        self._full = asyncio.Event()
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if len(self._waiting) >= self._max:
            self._full.set()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        # the write goes on even if this caller is cancelled: a half-known outcome helps nobody
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._waiting:
            if self._linger and len(self._waiting) < self._max:
                # a write that may wait a little (the outcomes: the messages are out, the marks are in) waits
                # for more company: fewer, larger writes
                self._full.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._linger)
            batch, self._waiting = self._waiting[: self._max], self._waiting[self._max :]
            try:
                results = await self._write([item for item, _ in batch])
            except BaseException as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
                if not isinstance(exc, Exception):
                    for _, future in self._waiting:
                        if not future.done():
                            future.set_exception(RuntimeError("store writer stopped"))
                    self._waiting = []
                    raise
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def drain(self) -> None:
        """Waits until every submitted item has been written (used on stop)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.wait({self._flusher})
