"""The KOONTO stream as the as-of reports read it (`use_cases.as_of.History`): where a moment falls in it, and
folding a range of it into a checkpoint's read models with the replay's own bulk folding (`replay`).

`position_at` is a binary search over stream sequences with JetStream's "get the next message from sequence n"
(`STREAM.MSG.GET` with `next_by_subj`): about log2(messages) small requests, no consumer, and gaps left by
deleted messages are stepped over. The stream timestamp is the time JetStream stored the message, so "recorded by
the end of the day" is exactly the messages before the first one stored after it (timestamps grow with the
sequence within a stream).

A connection is opened per use and closed after it: checkpoints are built rarely, and a report read from an
existing checkpoint needs no NATS at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

import nats
import nats.js.errors
from nats.js.client import JetStreamContext

from koonto.reporting.replay import ReplayResult, _rebuild_range
from koonto.reporting.store import BulkReadModels
from koonto.shared.bus import STREAM_NAME
from koonto.shared.clock import as_utc

SUBJECTS = "koonto.>"


class StreamHistory:
    def __init__(self, nats_url: str, home: str | None = None) -> None:
        self.nats_url = nats_url
        self.home = home  # the deployment's home region (`use_cases.projection`)

    @contextlib.asynccontextmanager
    async def _stream(self) -> AsyncIterator[JetStreamContext]:
        nc = await nats.connect(self.nats_url, name="koonto-reporting-as-of")
        try:
            yield nc.jetstream()
        finally:
            await nc.close()

    async def position_at(self, moment: datetime) -> int:
        async with self._stream() as js:
            try:
                state = (await js.stream_info(STREAM_NAME)).state
            except nats.js.errors.NotFoundError:
                return 0
            if not state.messages:
                return int(state.last_seq)

            async def stored_after(seq: int) -> bool:  # the first message from `seq` on was stored after `moment`
                found = await js.get_msg(STREAM_NAME, seq=seq, subject=SUBJECTS, next=True)
                return found.time is not None and as_utc(found.time) >= moment

            low, high = int(state.first_seq), int(state.last_seq)
            if not await stored_after(high):
                return high
            while low < high:  # the smallest sequence whose next message was stored after `moment`
                middle = (low + high) // 2
                if await stored_after(middle):
                    high = middle
                else:
                    low = middle + 1
            return low - 1

    async def fold(self, models: BulkReadModels, start: int, end: int) -> None:
        if end < start:
            await models.flush(final=True)
            return
        result = ReplayResult(generation=models.generation, previous="")
        async with self._stream() as js:
            last = await _rebuild_range(js, start, end, models, result, None, None, home=self.home)
        if last < end:  # a fetch gave up early (a busy server): a checkpoint is kept forever, so never a partial one
            raise RuntimeError(f"read the stream up to {last} of {end}; the checkpoint is not kept")
