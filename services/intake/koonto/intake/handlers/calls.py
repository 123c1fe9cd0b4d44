"""The funding calls' incoming events: advisory's call-opened / call-closed, the landing page's list of open
calls. The rows below are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import CallClosed, CallOpened


async def on_call_opened(event: CallOpened, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.store.open_call({
        "call_id": event.call_id, "name": event.name, "funder": event.funder, "opens_on": event.opens_on.isoformat(),
        "closes_on": event.closes_on.isoformat(), "budget_eur": event.budget_eur, "url": event.url,
        "description": event.description, "region": ctx.envelope.region,
    })


async def on_call_closed(event: CallClosed, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.store.close_call(event.call_id, event.name, event.closed_on)


SUBSCRIPTIONS = [
    Subscription(CallOpened, on_call_opened),  # landing page: open funding calls
    Subscription(CallClosed, on_call_closed),
]
