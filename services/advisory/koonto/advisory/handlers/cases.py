"""The cases' incoming events: an idea opens a case, an amendment updates it, an erasure request takes the
person's contact details off every case (GDPR art. 17). The rows below are this module's part of
`subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended, IdeaSubmitted


async def on_idea_submitted(event: IdeaSubmitted, ctx: EventContext, deps: AdvisoryContainer) -> None:
    # a redelivery (or a re-publish under another event id) finds the case already there and emits nothing
    await deps.cases.open_case_from_idea(event, ctx)


async def on_idea_amended(event: IdeaAmended, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.cases.amend_case(event)


async def on_erasure_requested(event: ErasureRequested, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.cases.erase_contact(event)


SUBSCRIPTIONS = [
    Subscription(IdeaSubmitted, on_idea_submitted),  # opens a case (idempotent)
    Subscription(IdeaAmended, on_idea_amended),  # description / contact corrections
    Subscription(ErasureRequested, on_erasure_requested),  # contact details leave cases, lists
]
