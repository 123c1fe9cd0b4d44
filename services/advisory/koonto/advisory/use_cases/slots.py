"""Advice times (hankeklinikka): advisors publish free times and withdraw unbooked ones; intake offers them to
the public and decides each booking (the slot's compare-and-set is there, where the request arrives)."""

from __future__ import annotations

from datetime import datetime

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import Forbidden, Refused, found, invalid_fields
from koonto.advisory.domain.slots import slot_problems
from koonto.advisory.i18n import N_
from koonto.advisory.use_cases.common import Context, new_id
from koonto.shared.clock import as_utc
from koonto.shared.contracts.advisory import AdviceSlotPublished, AdviceSlotWithdrawn
from koonto.shared.mongo import Document

SLOT_FIELDS = ("starts_at", "ends_at", "kind", "place", "online_url", "advisor_id")  # the form's order


class AdviceSlots:
    def __init__(self, context: Context) -> None:
        self.c = context

    async def publish(
        self, actor: Actor, *, starts_at: datetime | None, ends_at: datetime | None, kind: str, place: str | None,
        online_url: str | None, advisor_id: str | None, problems: dict[str, str] | None = None,
    ) -> Document:
        """A free time for the public to book. `problems`: the fields the form could not read (named with the
        rest, all at once)."""
        place = (place or "").strip()[:200] or None
        online_url = (online_url or "").strip()[:2000] or None
        problems = {**(problems or {}), **slot_problems(
            as_utc(starts_at) if starts_at else None, as_utc(ends_at) if ends_at else None, kind, place,
            online_url, self.c.now(),
        )}
        advisor = await self.c.active_staff(advisor_id or actor.staff_id)
        if advisor is None or not {"advisor", "coordinator", "admin"} & set(advisor.get("roles", ())):
            problems["advisor_id"] = N_("Valitse neuvoja.")
        if problems:
            raise invalid_fields({f: problems[f] for f in SLOT_FIELDS if f in problems})
        assert starts_at is not None and ends_at is not None and advisor is not None
        slot_id = new_id("slot")
        doc: Document = {
            "_id": slot_id, "region": self.c.region.code, "starts_at": as_utc(starts_at), "ends_at": as_utc(ends_at),
            "kind": kind, "place": place if kind == "in_person" else None,
            "online_url": online_url if kind == "online" else None, "advisor_id": advisor["_id"],
            "advisor_name": advisor["name"], "status": "free", "published_by": actor.staff_id,
            "published_at": self.c.now(), "booking": None,
        }
        envelope = self.c.event(
            AdviceSlotPublished(
                slot_id=slot_id, starts_at=doc["starts_at"], ends_at=doc["ends_at"], kind=kind,  # type: ignore[arg-type]
                place=doc["place"], online_url=doc["online_url"], advisor_id=doc["advisor_id"],
                advisor_name=doc["advisor_name"], published_at=doc["published_at"],
            ),
            subject=slot_id,
        )
        await self.c.store.advice.publish(doc, envelope)
        self.c.written(envelope)
        return doc

    async def withdraw(self, actor: Actor, slot_id: str) -> None:
        """An unbooked time taken back by its advisor (or a coordinator). A booking that reached intake first
        stands: intake refuses the withdrawal of a booked slot, and this copy shows the booking when it arrives."""
        slot = found(await self.c.store.advice.slot(slot_id), "Aikaa ei löydy.")
        if slot["advisor_id"] != actor.staff_id and not actor.has("coordinator"):
            raise Forbidden("Vain ajan neuvoja tai koordinaattori voi perua sen.")
        if slot["status"] != "free":
            raise Refused("Aika on jo varattu tai peruttu.")
        now = self.c.now()
        envelope = self.c.event(AdviceSlotWithdrawn(slot_id=slot_id, withdrawn_at=now, withdrawn_by=actor.staff_id),
                                subject=slot_id)
        if not await self.c.store.advice.withdraw(slot_id, {"withdrawn_at": now, "withdrawn_by": actor.staff_id},
                                                  envelope):
            raise Refused("Aika on jo varattu tai peruttu.")
        self.c.written(envelope)
