"""erasure-requested: the person's contact details leave every case (GDPR art. 17)."""

from __future__ import annotations

from koonto.advisory.service import Advisory
from koonto.shared.bus import Delivery, Handler


def on_erasure_requested(advisory: Advisory) -> Handler:
    async def handle(delivery: Delivery) -> None:
        await advisory.erase_contact(delivery)

    return handle
