"""The ideas' incoming events: advisory's stage-changed, the current stage of each idea for its status page.
The row below is this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.clock import as_utc
from koonto.shared.contracts.advisory import StageChanged
from koonto.shared.logs import get_logger

log = get_logger(__name__)


async def on_stage_changed(event: StageChanged, ctx: EventContext, deps: IntakeContainer) -> None:
    kept = await deps.store.record_stage(event.idea_id, event.to_stage, as_utc(event.changed_at), ctx.event_id)
    if not kept and await deps.store.idea(event.idea_id) is None:
        # an idea of another deployment, or one whose record is gone: nothing of ours to update
        log.info("stage-changed for an idea intake does not hold", idea_id=event.idea_id)


SUBSCRIPTIONS = [
    Subscription(StageChanged, on_stage_changed),  # status page: current stage of each idea
]
