"""advisory's stage-changed: intake keeps the current stage of each idea for its status page."""

from __future__ import annotations

from koonto.intake.store import IntakeStore
from koonto.shared.bus import Delivery
from koonto.shared.clock import as_utc
from koonto.shared.contracts.advisory import StageChanged
from koonto.shared.logs import get_logger

log = get_logger(__name__)


async def handle(store: IntakeStore, delivery: Delivery) -> None:
    data: StageChanged = delivery.data
    kept = await store.record_stage(data.idea_id, data.to_stage, as_utc(data.changed_at), delivery.envelope.id)
    if not kept and await store.idea(data.idea_id) is None:
        # an idea of another deployment, or one whose record is gone: nothing of ours to update
        log.info("stage-changed for an idea intake does not hold", idea_id=data.idea_id)
