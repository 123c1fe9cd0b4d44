"""Every event the intake service consumes, in one table read top to bottom."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from koonto.intake.handlers import calls, erasure_requested, scheduled_events, stage_changed
from koonto.intake.store import IntakeStore
from koonto.shared.bus import Delivery, Handler, Subscription
from koonto.shared.contracts.advisory import (
    AttendanceRecorded,
    CallClosed,
    CallOpened,
    EventScheduled,
    StageChanged,
)
from koonto.shared.contracts.intake import ErasureRequested

StoreHandler = Callable[[IntakeStore, Delivery], Awaitable[None]]


def subscriptions(store: Callable[[], IntakeStore]) -> list[Subscription]:
    """`store` gives the service's repository once the runtime has built it (the runtime owns the client)."""

    def bind(handler: StoreHandler) -> Handler:
        async def run(delivery: Delivery) -> None:
            await handler(store(), delivery)

        return run

    return [
        Subscription(StageChanged, bind(stage_changed.handle)),  # status page: current stage of each idea
        Subscription(CallOpened, bind(calls.opened)),  # landing page: open funding calls
        Subscription(CallClosed, bind(calls.closed)),
        Subscription(EventScheduled, bind(scheduled_events.scheduled)),  # public list of trainings and forums
        Subscription(AttendanceRecorded, bind(scheduled_events.attendance)),  # held: no longer upcoming
        Subscription(ErasureRequested, bind(erasure_requested.handle)),  # our own: erase the other copies
    ]
