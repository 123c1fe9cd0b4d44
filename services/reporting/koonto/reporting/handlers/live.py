"""The live consumers' handler: every consumed event goes into the generation active when it arrives.

One handler with the common signature serves every row of `subscriptions.SUBSCRIPTIONS`: what each event does
is the projection's `HANDLERS` table (`use_cases.projection`), which the replay reuses as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from koonto.reporting.use_cases.projection import apply_event
from koonto.shared.bus import EventContext
from koonto.shared.contracts import EventData

if TYPE_CHECKING:
    from koonto.reporting.bootstrap import ReportingContainer


async def on_event(event: EventData, ctx: EventContext, deps: ReportingContainer) -> None:
    # the generation is read per event: a replay switches it under the running consumers
    await apply_event(await deps.read_models(), ctx.envelope, event)
