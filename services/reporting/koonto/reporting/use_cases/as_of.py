"""The read models as they stood at the end of a past day: found, or built once, as a checkpoint.

`AsOfReports.models(day)` answers with the read models of the events recorded in the stream by the end of `day`
(`domain.as_of`) and the stream position they hold:

1. a checkpoint of that day exists (`store.checkpoints`): its generation, at once (the usual case: a report is
   asked for again, in another format, a municipality, a period);
2. else the stream position of the day's end is looked up (`History.position_at`), and
   - a checkpoint at exactly that position exists (nothing was recorded between the two days): the day is
     registered on the same generation;
   - a checkpoint at an earlier position exists: its collections are copied into a new generation and the
     events recorded between the two are applied through the live path (idempotent per event id, as the
     replay's catch-up does), when they are at most `TAIL_LIVE` events;
   - otherwise (no earlier checkpoint, or too long a tail): the events up to the position are folded into a
     new generation in bulk, as the replay does (`store.BulkReadModels`).

So no request replays the whole stream once a checkpoint precedes its day; the first as-of report of a
deployment does. Builds are serialised in the process; two replicas building the same day both finish, the
registry keeps the first and the other drops its copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from koonto.reporting.domain.as_of import AsOf, end_of_day
from koonto.reporting.store import BulkReadModels, Checkpoint, Checkpoints, ReadModels
from koonto.reporting.store.checkpoints import checkpoint_generation

TAIL_LIVE = 5_000  # events applied one by one on a copied checkpoint; past this a bulk fold from the start is faster


class History(Protocol):
    """The stream as reporting reads it for as-of reports (`koonto.reporting.history.StreamHistory`)."""

    async def position_at(self, moment: datetime) -> int:
        """The last stream sequence recorded before `moment` (0: none)."""
        ...

    async def fold(self, models: ReadModels, start: int, end: int) -> None:
        """Apply the events with stream sequence in [start, end] to `models`: in bulk for a `BulkReadModels`,
        one by one through the live path otherwise."""
        ...


class AsOfReports:
    def __init__(
        self, checkpoints: Checkpoints, history: History, *, day_end: Callable[[date], datetime] = end_of_day,
    ) -> None:
        self.checkpoints = checkpoints
        self.history = history
        self.day_end = day_end  # the instant a day ends (a test names its own)
        self._building = asyncio.Lock()

    async def models(self, day: date) -> tuple[ReadModels, AsOf]:
        found = await self.checkpoints.of_day(day)
        if found is None:
            async with self._building:
                found = await self.checkpoints.of_day(day) or await self._build(day)
        return self.checkpoints.models(found.generation), AsOf(found.day, found.moment, found.sequence)

    async def _build(self, day: date) -> Checkpoint:
        moment = self.day_end(day)
        sequence = await self.history.position_at(moment)
        base = await self.checkpoints.latest_upto(sequence)
        if base is not None and base.sequence == sequence:
            return await self.checkpoints.register(day, base.generation, sequence, moment)
        generation = checkpoint_generation(day)
        try:
            if base is not None and sequence - base.sequence <= TAIL_LIVE:
                await self.checkpoints.copy(base.generation, generation)
                models = self.checkpoints.models(generation)
                await models.ensure_indexes()
                await self.history.fold(models, base.sequence + 1, sequence)
            else:
                building = BulkReadModels(self.checkpoints.store, generation)
                await building.ensure_indexes()
                await self.history.fold(building, 1, sequence)
        except BaseException:
            await self.checkpoints.drop(generation)
            raise
        registered = await self.checkpoints.register(day, generation, sequence, moment)
        if registered.generation != generation:
            await self.checkpoints.drop(generation)  # another replica was first: its copy holds the same events
        return registered
