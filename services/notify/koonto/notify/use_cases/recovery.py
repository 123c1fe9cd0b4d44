"""Recovery: deliveries a replica left in "sending" when it died, and staff re-sending the unconfirmed ones."""

from __future__ import annotations

from koonto.notify.domain.errors import NotResendable
from koonto.notify.use_cases.core import Core
from koonto.shared.aio import every
from koonto.shared.logs import get_logger

log = get_logger(__name__)


class Recovery:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.deliveries = core.store.deliveries

    async def run(self) -> None:
        interval = max(0.5, min(30.0, self.core.settings.delivery_lease_seconds / 4))
        await every(interval, self.settle_stale, log=log, failed="recovery pass failed")

    async def settle_stale(self) -> int:
        """Settles deliveries whose lease ran out in "sending"; returns how many it settled."""
        policy = self.core.settings.unconfirmed_policy
        settled = 0
        for doc in await self.deliveries.stale_sending(self.core.now()):
            if await self.deliveries.in_log(doc["_id"]):  # died between recording the outcome and leaving the queue
                await self.deliveries.drop_from_queue(doc["_id"])
                continue
            if await self.deliveries.settle_stale(
                doc["_id"], now=self.core.now(), policy=policy, seen_lock=doc["locked_until"]
            ):
                settled += 1
                log.warning(
                    "delivery found in 'sending' after its lease ran out: outcome at the provider unknown",
                    delivery=doc["_id"],
                    policy=policy,
                )
        if settled and policy == "resend":
            self.core.signals.deliveries_queued()
        await self.deliveries.forget_claims(self.core.now())
        return settled

    async def resend(self, delivery_id: str, *, by: str) -> None:
        """Staff send again a delivery whose outcome is unknown; raises `NotResendable` for any other."""
        if not await self.deliveries.requeue(delivery_id, now=self.core.now(), by=by):
            raise NotResendable(delivery_id)
        self.core.signals.deliveries_queued()
