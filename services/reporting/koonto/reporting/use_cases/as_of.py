"""The read models as they stood at the end of a past day: found, or built once, as a checkpoint.

`AsOfReports.models(day)` answers with the read models of the events recorded in the stream by the end of `day`
(`domain.as_of`) and the stream position they hold:

1. a checkpoint of that day exists (`store.checkpoints`): its generation, at once (the usual case: a report is
   asked for again, in another format, a municipality, a period);
2. else the stream position of the day's end is looked up (`History.position_at`), and
   - a checkpoint at exactly that position exists (nothing was recorded between the two days): the day is
     registered on the same generation;
   - a checkpoint at an earlier position exists: its collections are copied into a new generation and the
     events recorded between the two are folded into it in bulk, as the replay does (`store.BulkReadModels`,
     `resume`: nobody else writes the copy; an event the checkpoint already counted is recognised by its
     fact, as the live path's guard recognises it);
   - otherwise: every event up to the position is folded into a new generation in bulk.

(Applying the events after a checkpoint one by one through the live path was measured first: some 40 ms an
event on the embedded store, slower than folding the whole history in bulk once the tail passed a few hundred
events; `bench/as_of_bench.py`.)

So no request replays the whole stream once a checkpoint precedes its day; the first as-of report of a
deployment does, unless the background job (`jobs.build_checkpoints`) built the day ahead, as it does for every
ended day. Builds are serialised in the process; two replicas building the same day both finish, the
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


class History(Protocol):
    """The stream as reporting reads it for as-of reports (`koonto.reporting.history.StreamHistory`)."""

    async def position_at(self, moment: datetime) -> int:
        """The last stream sequence recorded before `moment` (0: none)."""
        ...

    async def fold(self, models: BulkReadModels, start: int, end: int) -> None:
        """Fold the events with stream sequence in [start, end] into `models` and write them."""
        ...


class AsOfReports:
    def __init__(
        self, checkpoints: Checkpoints, history: History, *, day_end: Callable[[date], datetime] = end_of_day,
    ) -> None:
        self.checkpoints = checkpoints
        self.history = history
        self.day_end = day_end  # the instant a day ends (a test names its own)
        self._building = asyncio.Lock()
        self._builds: dict[date, asyncio.Task[Checkpoint]] = {}

    async def models(self, day: date) -> tuple[ReadModels, AsOf]:
        found = await self.checkpoints.of_day(day)
        if found is None:
            # a build outlives the request that started it (a long history can take longer than the request
            # bound): a request asking again meanwhile waits for the same build
            task = self._builds.get(day)
            if task is None:
                task = self._builds[day] = asyncio.create_task(self._build_once(day))
                task.add_done_callback(lambda _: self._builds.pop(day, None))
            found = await asyncio.shield(task)
        return self.checkpoints.models(found.generation, found.yearly), AsOf(found.day, found.moment, found.sequence)

    async def _build_once(self, day: date) -> Checkpoint:
        async with self._building:  # one build at a time: the next day's build may start from this one
            return await self.checkpoints.of_day(day) or await self._build(day)

    async def _build(self, day: date) -> Checkpoint:
        moment = self.day_end(day)
        sequence = await self.history.position_at(moment)
        base = await self.checkpoints.latest_upto(sequence)
        if base is not None and base.sequence == sequence:
            return await self.checkpoints.register(day, base.generation, sequence, moment, base.yearly)
        generation = checkpoint_generation(day)
        try:
            building = BulkReadModels(self.checkpoints.store, generation)
            await building.ensure_indexes()
            if base is not None:
                await self.checkpoints.copy(base.generation, generation)
                await building.resume()
            await self.history.fold(building, base.sequence + 1 if base else 1, sequence)
        except BaseException:
            await self.checkpoints.drop(generation)
            raise
        # year documents only when the base had them too (the copy holds the base's; the events after add theirs)
        yearly = base is None or base.yearly
        registered = await self.checkpoints.register(day, generation, sequence, moment, yearly)
        if registered.generation != generation:
            await self.checkpoints.drop(generation)  # another replica was first: its copy holds the same events
        return registered
