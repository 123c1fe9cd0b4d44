"""erasure-requested: the person's contact details leave every case (GDPR art. 17)."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.bus import EventContext
from koonto.shared.contracts.intake import ErasureRequested


async def on_erasure_requested(event: ErasureRequested, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.cases.erase_contact(event)
