"""The wake-ups between the use cases of one replica: a delivery was queued, the queue runs low."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Signals:
    queued: asyncio.Event = field(default_factory=asyncio.Event)  # deliveries are due: the worker looks now
    fanout: asyncio.Event = field(default_factory=asyncio.Event)  # the queue runs low: expand the next batch

    def deliveries_queued(self) -> None:
        self.queued.set()

    def queue_low(self) -> None:
        self.fanout.set()
