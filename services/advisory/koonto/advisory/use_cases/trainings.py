"""Trainings and forums: scheduled by staff, registrations from intake, attendance recorded afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.attendance import Figures, derive
from koonto.advisory.domain.errors import Invalid, NotYetKnown, Refused, found
from koonto.advisory.use_cases.common import Context, new_id
from koonto.shared.clock import HELSINKI, as_utc
from koonto.shared.contracts.advisory import AttendanceRecorded, EventScheduled, RegistrationCancelRequested
from koonto.shared.contracts.intake import RegistrationCancelled, RegistrationPromoted, RegistrationReceived
from koonto.shared.mongo import Document
from koonto.shared.region import Region, using_region
from koonto.shared.sealing import is_erased

EVENT_KINDS = ("training", "forum", "talk", "workshop", "networking")


@dataclass(frozen=True)
class When:
    starts_at: datetime
    ends_at: datetime | None


def _when(starts_at: datetime, ends_at: datetime | None) -> When:
    """Local times without a zone are Helsinki time; UTC inside."""
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=HELSINKI)
    if ends_at is not None and ends_at.tzinfo is None:
        ends_at = ends_at.replace(tzinfo=HELSINKI)
    when = When(as_utc(starts_at), as_utc(ends_at) if ends_at is not None else None)
    if when.ends_at is not None and when.ends_at <= when.starts_at:
        raise Invalid("Päättymisajan pitää olla alkamisajan jälkeen.", "ends_at")
    return when


def _check_event(
    place: str | None, online_url: str | None, capacity: int, municipality: str | None, region: Region
) -> None:
    if not place and not online_url:
        raise Invalid("Kerro paikka tai verkkolinkki.", "place")
    if online_url and not online_url.startswith(("https://", "http://")):
        raise Invalid("Linkin pitää alkaa https://", "online_url")
    if not 1 <= capacity <= 100_000:
        raise Invalid("Osallistujamäärä 1–100 000.", "capacity")
    if municipality and region.municipality(municipality) is None:
        raise Invalid("Valitse kunta alueen kunnista.", "municipality")


def _announcement(doc: Document, *, updated: bool = False) -> EventScheduled:
    """event-scheduled of an event as stored: its first announcement, or an update of it."""
    return EventScheduled(
        scheduled_event_id=doc["_id"], title=doc["title"], kind=doc["kind"], starts_at=doc["starts_at"],
        ends_at=doc.get("ends_at"), place=doc.get("place"), online_url=doc.get("online_url"),
        capacity=doc["capacity"], municipality=doc.get("municipality"), description=doc.get("description", ""),
        what_to_bring=doc.get("what_to_bring", ""), asks_dietary_needs=doc.get("asks_dietary_needs", False),
        asks_accessibility_needs=doc.get("asks_accessibility_needs", False),
        participant_list=doc.get("participant_list", False), updated=updated,
    )


def _attendance_counts(participants_total: int, counts: dict[str, int], not_told: int | None) -> int:
    """`not_told`, checked (or worked out when not given)."""
    if participants_total < 0 or any(v < 0 for v in counts.values()) or (not_told or 0) < 0:
        raise Invalid("Määrät ovat nollia tai positiivisia kokonaislukuja.", "participants_total")
    told = sum(counts.values())
    if not_told is None:
        not_told = participants_total - told
    if told + not_told != participants_total or not_told < 0:
        raise Invalid(
            "Sukupuolen mukaan jaettujen määrien summan pitää olla osallistujien kokonaismäärä.",
            "participants_total",
        )
    return not_told


class Trainings:
    def __init__(self, context: Context) -> None:
        self.c = context

    async def schedule_event(
        self, actor: Actor, *, title: str, kind: str, starts_at: datetime, ends_at: datetime | None,
        place: str | None, online_url: str | None, capacity: int, municipality: str | None, description: str,
        what_to_bring: str = "", asks_dietary_needs: bool = False, asks_accessibility_needs: bool = False,
        participant_list: bool = False, region: str | None = None,
    ) -> Document:
        with using_region(self.c.region_for_new(region)):  # its municipality, its events: the region chosen
            return await self._schedule_event(
                actor, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, place=place,
                online_url=online_url, capacity=capacity, municipality=municipality, description=description,
                what_to_bring=what_to_bring, asks_dietary_needs=asks_dietary_needs,
                asks_accessibility_needs=asks_accessibility_needs, participant_list=participant_list,
            )

    async def _schedule_event(
        self, actor: Actor, *, title: str, kind: str, starts_at: datetime, ends_at: datetime | None,
        place: str | None, online_url: str | None, capacity: int, municipality: str | None, description: str,
        what_to_bring: str, asks_dietary_needs: bool, asks_accessibility_needs: bool, participant_list: bool,
    ) -> Document:
        title = title.strip()
        if not title:
            raise Invalid("Kirjoita tilaisuuden nimi.", "title")
        if kind not in EVENT_KINDS:
            raise Invalid("Valitse tilaisuuden tyyppi.", "kind")
        when = _when(starts_at, ends_at)
        place = (place or "").strip() or None
        online_url = (online_url or "").strip() or None
        region = self.c.region
        _check_event(place, online_url, capacity, municipality, region)
        event_id = new_id("event")
        doc = {
            "_id": event_id, "region": region.code, "title": title[:200], "kind": kind,
            "starts_at": when.starts_at, "ends_at": when.ends_at, "place": place, "online_url": online_url,
            "capacity": capacity, "municipality": municipality or None, "description": description.strip()[:20_000],
            "what_to_bring": what_to_bring.strip()[:20_000], "asks_dietary_needs": asks_dietary_needs,
            "asks_accessibility_needs": asks_accessibility_needs, "participant_list": participant_list,
            "created_by": actor.staff_id, "created_at": self.c.now(), "attendance": None,
        }
        envelope = self.c.event(_announcement(doc), subject=event_id)
        await self.c.store.add_event(doc, envelope)
        self.c.written(envelope)
        return doc

    async def record_registration(self, data: RegistrationReceived) -> bool:
        """registration-received: the participant list of the event (names and contacts are for the staff
        organising it; an erasure request removes them). A redelivery finds it there and changes nothing."""
        person = data.participant
        stored = await self.c.store.record_registration({
            "_id": data.registration_id,
            "scheduled_event_id": data.scheduled_event_id,
            "status": data.status,
            "position_on_waitlist": data.position_on_waitlist,
            "received_at": data.received_at,
            "name": person.name,
            "email": str(person.email).lower(),
            "phone": person.phone,
            "language": person.language,
            "organisation_name": data.organisation_name,
            "municipality": data.municipality,
            "gender": data.gender,
            "dietary_needs": data.dietary_needs,
            "accessibility_needs": data.accessibility_needs,
            "on_participant_list": data.on_participant_list,
            "region": self.c.region.code,
        })
        # checked after the write, so an erasure recorded at the same moment is seen by one of the two
        # (a registration made after the erasure is a new sign-up, and stays)
        erasures = self.c.store.erasures
        shredded = is_erased(person.email)  # its key was destroyed: read after the person's erasure
        if shredded or await erasures.covers(email=str(person.email), phone=person.phone,
                                             happened_at=data.received_at):
            await self.c.store.erase_registration(data.registration_id)
        return stored

    async def record_registration_change(self, data: RegistrationCancelled | RegistrationPromoted) -> None:
        """registration-cancelled / -promoted: the participant list follows intake, which holds the seats."""
        if isinstance(data, RegistrationCancelled):
            status, at = "cancelled", data.cancelled_at
        else:
            status, at = "confirmed", data.promoted_at
        if not await self.c.store.mark_registration(data.registration_id, status, at):
            raise NotYetKnown(data.registration_id)  # it came before its registration-received: retried

    async def cancel_registration(self, actor: Actor, event_id: str, registration_id: str) -> Document:
        """Staff cancel a sign-up on the event page: asked of intake (registration-cancel-requested), which
        frees the seat, gives it to the first waiting and tells advisory back (registration-cancelled)."""
        event = found(await self.c.store.scheduled_event(event_id), "Tilaisuutta ei löydy.")
        registration = await self.c.store.registration(registration_id)
        if registration is None or registration.get("scheduled_event_id") != event_id:
            raise Refused("Ilmoittautumista ei löydy.", "registration")
        if as_utc(event["starts_at"]) <= self.c.now():
            raise Refused("Tilaisuus on jo alkanut: ilmoittautumista ei voi enää perua.", "registration")
        if registration.get("status") == "cancelled":
            return event
        envelope = self.c.event(
            RegistrationCancelRequested(registration_id=registration_id, scheduled_event_id=event_id,
                                        requested_at=self.c.now(), staff_id=actor.staff_id),
            subject=registration_id,
        )
        if await self.c.store.request_cancellation(event_id, registration_id, envelope):
            self.c.written(envelope)
        return event

    async def raise_capacity(self, actor: Actor, event_id: str, *, capacity: int) -> Document:
        """More seats for an announced event: event-scheduled again (`updated`), and intake gives the new seats
        to the waiting list first. Lowering is refused: the seats given stay given."""
        event = found(await self.c.store.scheduled_event(event_id), "Tilaisuutta ei löydy.")
        if capacity < int(event["capacity"]):
            raise Invalid("Osallistujamäärää voi vain nostaa: annetut paikat pysyvät.", "capacity")
        if not 1 <= capacity <= 100_000:
            raise Invalid("Osallistujamäärä 1–100 000.", "capacity")
        if as_utc(event["starts_at"]) <= self.c.now():
            raise Refused("Tilaisuus on jo alkanut.", "capacity")
        envelope = self.c.event(_announcement({**event, "capacity": capacity}, updated=True), subject=event_id)
        updated = found(await self.c.store.change_capacity(event_id, capacity, envelope), "Tilaisuutta ei löydy.")
        self.c.written(envelope)
        return updated

    async def record_attendance(
        self, actor: Actor, event_id: str, *, participants_total: int, women: int, men: int, other: int,
        not_told: int | None, organisations: list[str],
    ) -> Document:
        """The count-only form (an event without registration, or walk-ins counted by hand)."""
        doc = found(await self.c.store.scheduled_event(event_id), "Tilaisuutta ei löydy.")
        if as_utc(doc["starts_at"]) > self.c.now():  # nobody has attended yet
            raise Refused("Osallistujia voi kirjata vasta, kun tilaisuus on alkanut.", "participants_total")
        not_told = _attendance_counts(participants_total, {"women": women, "men": men, "other": other}, not_told)
        figures = Figures(participants_total, women, men, other, not_told,
                          sorted({o.strip()[:200] for o in organisations if o.strip()})[:500])
        return await self._attendance(actor, doc, figures, checked_in=None)

    async def record_check_in(self, actor: Actor, event_id: str, *, present: list[str]) -> Document:
        """The check-in list saved: who came, ticked per person (at the door, from the event's day on); the
        ESF+ figures are derived from it and recorded as attendance-recorded (a correction is recorded again)."""
        doc = found(await self.c.store.scheduled_event(event_id), "Tilaisuutta ei löydy.")
        if as_utc(doc["starts_at"]).astimezone(HELSINKI).date() > self.c.today():
            raise Refused("Osallistujia voi merkitä tilaisuuspäivästä alkaen.", "present")
        registrations = [r for r in await self.c.store.registrations_of(event_id) if r.get("status") != "cancelled"]
        ticked = set(present)
        await self.c.store.check_in(event_id, {r["_id"]: r["_id"] in ticked for r in registrations})
        figures = derive(registrations, ticked)
        return await self._attendance(actor, doc, figures, checked_in=figures.participants_total)

    async def _attendance(self, actor: Actor, doc: Document, figures: Figures, *, checked_in: int | None) -> Document:
        event_id = doc["_id"]
        attendance = {
            **figures.counts(), "organisations": figures.organisations, "municipalities": figures.municipalities,
            "checked_in": checked_in, "recorded_by": actor.staff_id, "recorded_at": self.c.now(),
        }
        envelope = self.c.event(
            AttendanceRecorded(
                scheduled_event_id=event_id, kind=doc["kind"], held_on=doc["starts_at"].astimezone(HELSINKI).date(),
                municipality=doc.get("municipality"), organisations=tuple(figures.organisations),
                checked_in=checked_in, **figures.counts(),
            ),
            subject=event_id,
        )
        updated = found(await self.c.store.record_attendance(event_id, attendance, envelope), "Tilaisuutta ei löydy.")
        self.c.written(envelope)
        return updated
