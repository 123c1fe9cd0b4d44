"""The live consumers' handler and its rows: every consumed event goes into the generation active when it arrives.

One handler with the common signature serves every row below (the whole of `subscriptions.SUBSCRIPTIONS`): what
each event does is the projection's `HANDLERS` table (`use_cases.projection`), which the replay reuses as it is;
a unit test holds the two to the same events. Personal fields reporting never reads are optional in the
`...ForReporting` twins, so a redacted dead letter still decodes (`koonto.reporting.privacy`).

Not consumed, on purpose: idea-amended (only contact data and description change), registration-received and
the subscription-* events (a person's contact data; participants are counted from attendance-recorded),
case-assigned, followup-due, call-closing-soon and event-scheduled (no indicator needs them) and
staff-updated (staff contact data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from koonto.reporting.privacy import (
    AssociationMessagedForReporting,
    ErasureRequestedForReporting,
    IdeaSubmittedForReporting,
)
from koonto.reporting.use_cases.projection import apply_event
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts import EventData, advisory, notify

if TYPE_CHECKING:
    from koonto.reporting.bootstrap import ReportingContainer


async def on_event(event: EventData, ctx: EventContext, deps: ReportingContainer) -> None:
    # the generation is read per event: a replay switches it under the running consumers
    await apply_event(await deps.read_models(), ctx.envelope, event, home=deps.infra.regions.home.code)


SUBSCRIPTIONS: list[Subscription] = [
    Subscription(IdeaSubmittedForReporting, on_event),
    Subscription(ErasureRequestedForReporting, on_event),
    Subscription(advisory.CaseOpened, on_event),
    Subscription(advisory.StageChanged, on_event),
    Subscription(advisory.SessionLogged, on_event),
    Subscription(AssociationMessagedForReporting, on_event),
    Subscription(advisory.CallOpened, on_event),
    Subscription(advisory.CallClosed, on_event),
    Subscription(advisory.ProjectResultsPublished, on_event),  # the showcase's results
    Subscription(advisory.ProjectResultsWithdrawn, on_event),
    Subscription(advisory.AttendanceRecorded, on_event),
    Subscription(notify.NotificationSent, on_event),
    Subscription(notify.NotificationFailed, on_event),
]
