"""Every event the reporting service consumes, in one table read top to bottom.

Not consumed, on purpose: idea-amended (only contact data and description change), registration-received and
the subscription-* events (a person's contact data; participants are counted from attendance-recorded),
case-assigned, followup-due, call-closing-soon and event-scheduled (no indicator needs them) and
staff-updated (staff contact data).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from koonto.reporting.handlers.apply import HANDLERS, READ_AS, apply_event
from koonto.reporting.store import ReadModels
from koonto.shared.bus import Delivery, Subscription

ActiveModels = Callable[[], Awaitable[ReadModels]]


def build_subscriptions(active_models: ActiveModels) -> list[Subscription]:
    """One durable consumer per event type; each writes into the generation active when the event arrives."""

    async def handle(delivery: Delivery) -> None:
        await apply_event(await active_models(), delivery.envelope, delivery.data)

    return [Subscription(READ_AS.get(event, event), handle) for event in HANDLERS]
