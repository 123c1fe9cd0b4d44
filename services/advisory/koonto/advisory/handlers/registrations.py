"""registration-received: the event's participant list in the staff workspace."""

from __future__ import annotations

from koonto.advisory.service import Advisory
from koonto.shared.bus import Delivery, Handler


def on_registration_received(advisory: Advisory) -> Handler:
    async def handle(delivery: Delivery) -> None:
        await advisory.record_registration(delivery)  # a redelivery finds it there and changes nothing

    return handle
