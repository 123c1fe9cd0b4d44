"""intake's idea events: an idea opens a case; an amendment updates it."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.shared.bus import EventContext
from koonto.shared.contracts.intake import IdeaAmended, IdeaSubmitted


async def on_idea_submitted(event: IdeaSubmitted, ctx: EventContext, deps: AdvisoryContainer) -> None:
    # a redelivery (or a re-publish under another event id) finds the case already there and emits nothing
    await deps.cases.open_case_from_idea(event, ctx)


async def on_idea_amended(event: IdeaAmended, ctx: EventContext, deps: AdvisoryContainer) -> None:
    await deps.cases.amend_case(event)
