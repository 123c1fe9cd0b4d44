"""Erasure in notify: the person leaves the directory and the delivery log, and stays out of it.

The consumers run side by side, so an event about the person can reach notify after their `erasure-requested`
(an idea, a registration, a subscription sent just before it). notify remembers each erasure as a tombstone
(`koonto.shared.mongo.Tombstones`: hashes, not addresses) and an event that happened before the erasure is not
acted on: no contact is kept and nothing is sent. The check runs before the event's write and again after it, so
an erasure handled at the same moment is seen by one of the two. Something that happened after the erasure (the
person signs up again next month) is a new start and goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from koonto.notify.domain.keys import address_hash
from koonto.notify.use_cases.core import Core
from koonto.shared.contracts.intake import ErasureRequested
from koonto.shared.mongo import Tombstones
from koonto.shared.sealing import is_erased


@dataclass(frozen=True)
class About:
    """Whom an event is about, and when it happened."""

    email: str | None = None
    phone: str | None = None
    idea_ids: Sequence[str] = ()
    happened_at: datetime | None = None


class Erasure:
    def __init__(self, core: Core) -> None:
        self.c = core
        self.tombstones = Tombstones(core.infra.store[Tombstones.COLLECTION])

    async def erase(self, request: ErasureRequested) -> None:
        """The tombstone first (so an event handled from now on sees it), then the person's copies go."""
        await self.tombstones.record(request_id=request.request_id, at=request.requested_at, email=str(request.email),
                                     phone=request.phone, idea_ids=request.idea_ids)
        await self.forget(str(request.email), request.phone, request.idea_ids)

    async def forget(self, email: str, phone: str | None, idea_ids: Sequence[str]) -> None:
        await self.c.store.recipients.forget(email, phone, idea_ids)
        hashes = [address_hash("email", email)] + ([address_hash("sms", phone)] if phone else [])
        await self.c.store.deliveries.scrub(hashes)

    async def covers(self, person: About) -> bool:
        """Whether an erasure at or after the moment covers this person or idea (no moment: any erasure, as for an
        idea whose contact is gone: nothing that happens to the idea later brings the contact back)."""
        if any(value is not None and is_erased(value) for value in (person.email, person.phone)):
            return True  # its key was destroyed: the person was erased (koonto.shared.sealing)
        return await self.tombstones.covers(email=person.email, phone=person.phone, idea_ids=person.idea_ids,
                                            happened_at=person.happened_at)

    async def undo_if_covered(self, person: About) -> bool:
        """After an event's write: if an erasure arrived meanwhile, what the write kept of the person goes again."""
        if person.email is None or not await self.covers(person):
            return False
        await self.forget(person.email, person.phone, person.idea_ids)
        return True
