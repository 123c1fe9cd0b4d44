"""intake's idea events: an idea opens a case; an amendment updates it."""

from __future__ import annotations

from koonto.advisory.service import Advisory
from koonto.shared.bus import Delivery, Handler


def on_idea_submitted(advisory: Advisory) -> Handler:
    async def handle(delivery: Delivery) -> None:
        # a redelivery (or a re-publish under another event id) finds the case already there and emits nothing
        await advisory.open_case_from_idea(delivery)

    return handle


def on_idea_amended(advisory: Advisory) -> Handler:
    async def handle(delivery: Delivery) -> None:
        await advisory.amend_case(delivery)

    return handle
