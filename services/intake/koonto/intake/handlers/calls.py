"""advisory's call-opened / call-closed: the landing page lists the open funding calls."""

from __future__ import annotations

from koonto.intake.store import IntakeStore
from koonto.shared.bus import Delivery
from koonto.shared.contracts.advisory import CallClosed, CallOpened


async def opened(store: IntakeStore, delivery: Delivery) -> None:
    data: CallOpened = delivery.data
    await store.open_call({
        "call_id": data.call_id, "name": data.name, "funder": data.funder, "opens_on": data.opens_on.isoformat(),
        "closes_on": data.closes_on.isoformat(), "budget_eur": data.budget_eur, "url": data.url,
        "description": data.description, "region": delivery.envelope.region,
    })


async def closed(store: IntakeStore, delivery: Delivery) -> None:
    data: CallClosed = delivery.data
    await store.close_call(data.call_id, data.name, data.closed_on)
