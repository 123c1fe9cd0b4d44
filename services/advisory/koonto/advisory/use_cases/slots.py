"""Advice times (hankeklinikka): advisors publish free times and withdraw unbooked ones; intake offers them to
the public and decides each booking (the slot's compare-and-set is there, where the request arrives)."""

from __future__ import annotations

from datetime import datetime

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import Forbidden, Refused, found, invalid_fields
from koonto.advisory.domain.regions import works_in
from koonto.advisory.domain.slots import slot_problems
from koonto.advisory.i18n import N_
from koonto.advisory.use_cases.common import Context, new_id
from koonto.advisory.use_cases.sessions import Sessions
from koonto.shared.clock import as_utc
from koonto.shared.contracts.advisory import AdviceSlotPublished, AdviceSlotWithdrawn
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked
from koonto.shared.mongo import Document
from koonto.shared.region import using_region

SESSION_KIND_OF = {"phone": "phone", "in_person": "meeting", "online": "video"}  # session-logged's kinds

SLOT_FIELDS = ("starts_at", "ends_at", "kind", "place", "online_url", "advisor_id")  # the form's order


class AdviceSlots:
    def __init__(self, context: Context, sessions: Sessions) -> None:
        self.c = context
        self.sessions = sessions

    async def publish(
        self, actor: Actor, *, starts_at: datetime | None, ends_at: datetime | None, kind: str, place: str | None,
        online_url: str | None, advisor_id: str | None, problems: dict[str, str] | None = None,
        region: str | None = None,
    ) -> Document:
        """A free time for the public to book, in the region chosen among the staff member's own. `problems`:
        the fields the form could not read (named with the rest, all at once)."""
        with using_region(self.c.region_for_new(region)):
            return await self._publish(actor, starts_at, ends_at, kind, place, online_url, advisor_id, problems)

    async def _publish(
        self, actor: Actor, starts_at: datetime | None, ends_at: datetime | None, kind: str, place: str | None,
        online_url: str | None, advisor_id: str | None, problems: dict[str, str] | None,
    ) -> Document:
        place = (place or "").strip()[:200] or None
        online_url = (online_url or "").strip()[:2000] or None
        problems = {**(problems or {}), **slot_problems(
            as_utc(starts_at) if starts_at else None, as_utc(ends_at) if ends_at else None, kind, place,
            online_url, self.c.now(),
        )}
        advisor = await self.c.active_staff(advisor_id or actor.staff_id)
        if advisor is None or not works_in(advisor, self.c.region.code, self.c.served[0], "advisor", "coordinator"):
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
        if slot["advisor_id"] != actor.staff_id and not actor.has_in(self.c.store.scope.region_of(slot), "coordinator"):
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

    # -- the bookings intake decided ---------------------------------------------------------------------------
    async def record_booking(self, event: AdviceSessionBooked) -> Document:
        """advice-session-booked: on the advisors' list, and on the case of its idea when there is one (matched
        when read, so a booking that arrives before its case is shown there too). Idempotent."""
        contact = event.contact
        stored = await self.c.store.advice.record_booking({
            "_id": event.booking_id, "slot_id": event.slot_id, "idea_id": event.idea_id,
            "starts_at": as_utc(event.starts_at), "ends_at": as_utc(event.ends_at), "kind": event.kind,
            "place": event.place, "online_url": event.online_url, "advisor_id": event.advisor_id,
            "advisor_name": event.advisor_name, "name": contact.name, "email": str(contact.email).lower(),
            "phone": contact.phone, "language": contact.language, "organisation_name": event.organisation_name,
            "topic": event.topic, "booked_at": as_utc(event.booked_at), "rebooked_from": event.rebooked_from,
            "region": self.c.region.code,  # the booking event's region (the public site it was made on)
        })
        # checked after the write, so an erasure recorded at the same moment is seen by one of the two
        erasures = self.c.store.erasures
        if await erasures.covers(email=str(contact.email), phone=contact.phone,
                                 idea_ids=(event.idea_id,) if event.idea_id else (), happened_at=event.booked_at):
            await self.c.store.advice.erase_bookings(str(contact.email).lower(), [event.idea_id or ""])
        return stored

    async def cancel_booking(self, event: AdviceBookingCancelled) -> None:
        await self.c.store.advice.cancel_booking(event.booking_id, event.slot_id, as_utc(event.cancelled_at),
                                                 event.rebooked_as)

    async def log_held(self, actor: Actor, booking_id: str) -> Document:
        """One click: the held booking becomes a session on its case (`session-logged`, so the funder's
        consultation figures count it), once; a second click, or one at the same moment, is refused."""
        booking = found(await self.c.store.advice.booking(booking_id), "Varausta ei löydy.")
        if booking.get("status") != "booked" or booking.get("session_id"):
            raise Refused("Varaus on jo kirjattu neuvonnaksi tai peruttu.")
        if as_utc(booking["starts_at"]) > self.c.now():
            raise Refused("Neuvonnan voi kirjata pidetyksi vasta, kun aika on alkanut.")
        case = await self.c.store.case_by_idea(booking["idea_id"]) if booking.get("idea_id") else None
        if case is None:
            raise Refused("Varaus ei liity tapaukseen: kirjaa neuvonta tapaukselle, kun yhdistys on jättänyt idean.")
        session_id = f"session-{booking_id}"
        if not await self.c.store.advice.claim_session(booking_id, session_id):
            raise Refused("Varaus on jo kirjattu neuvonnaksi tai peruttu.")
        minutes = max(1, int((as_utc(booking["ends_at"]) - as_utc(booking["starts_at"])).total_seconds() // 60))
        try:
            return await self.sessions.log_session(
                actor, case["_id"], kind=SESSION_KIND_OF[booking["kind"]], started_at=as_utc(booking["starts_at"]),
                duration_minutes=minutes, topics=["Hankeklinikka"], note=booking.get("topic"), session_id=session_id,
            )
        except Exception:
            await self.c.store.advice.release_session(booking_id, session_id)
            raise
