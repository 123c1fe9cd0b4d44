"""Every event the intake service consumes, in one table read top to bottom."""

from __future__ import annotations

from koonto.intake.handlers.calls import on_call_closed, on_call_opened
from koonto.intake.handlers.erasure_requested import on_erasure_requested
from koonto.intake.handlers.scheduled_events import on_attendance_recorded, on_event_scheduled
from koonto.intake.handlers.stage_changed import on_stage_changed
from koonto.shared.bus import Subscription
from koonto.shared.contracts.advisory import AttendanceRecorded, CallClosed, CallOpened, EventScheduled, StageChanged
from koonto.shared.contracts.intake import ErasureRequested

SUBSCRIPTIONS = [
    Subscription(StageChanged, on_stage_changed),  # status page: current stage of each idea
    Subscription(CallOpened, on_call_opened),  # landing page: open funding calls
    Subscription(CallClosed, on_call_closed),
    Subscription(EventScheduled, on_event_scheduled),  # public list of trainings and forums
    Subscription(AttendanceRecorded, on_attendance_recorded),  # held: no longer upcoming
    Subscription(ErasureRequested, on_erasure_requested),  # our own: erase the other copies
]
