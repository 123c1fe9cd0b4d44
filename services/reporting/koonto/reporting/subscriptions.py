"""Every event the reporting service consumes, in one table read top to bottom.

Each row is one durable consumer; all of them hand the event to `handlers.live.on_event`, which projects it into
the active generation by the projection's `HANDLERS` table (the replay's table too; a unit test holds the two
to the same events). Personal fields reporting never reads are optional in the `...ForReporting` twins, so a
redacted dead letter still decodes (`koonto.reporting.privacy`).

Not consumed, on purpose: idea-amended (only contact data and description change), registration-received and
the subscription-* events (a person's contact data; participants are counted from attendance-recorded),
case-assigned, followup-due, call-closing-soon and event-scheduled (no indicator needs them) and
staff-updated (staff contact data).
"""

from __future__ import annotations

from koonto.reporting.handlers.live import on_event
from koonto.reporting.privacy import (
    AssociationMessagedForReporting,
    ErasureRequestedForReporting,
    IdeaSubmittedForReporting,
)
from koonto.shared.bus import Subscription
from koonto.shared.contracts import advisory, notify

SUBSCRIPTIONS: list[Subscription] = [
    Subscription(IdeaSubmittedForReporting, on_event),
    Subscription(ErasureRequestedForReporting, on_event),
    Subscription(advisory.CaseOpened, on_event),
    Subscription(advisory.StageChanged, on_event),
    Subscription(advisory.SessionLogged, on_event),
    Subscription(AssociationMessagedForReporting, on_event),
    Subscription(advisory.CallOpened, on_event),
    Subscription(advisory.CallClosed, on_event),
    Subscription(advisory.AttendanceRecorded, on_event),
    Subscription(notify.NotificationSent, on_event),
    Subscription(notify.NotificationFailed, on_event),
]
