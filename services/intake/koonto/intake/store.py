"""Intake's repository: the only module that talks to MongoDB (intake's own database).

Every write that causes events is ONE single-document write carrying them in the document's outbox
(`outbox_fields` / `outbox_set`); the relay publishes them. Methods are named for what they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from koonto.intake.domain.registrations import LIVE, Place, PlaceHints, SeatsTaken, Status
from koonto.intake.regional import RegionScope
from koonto.shared.clock import utcnow
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Collection, Document, Store, epoch_ms, revive
from koonto.shared.outbox import outbox_fields, outbox_set

IDEAS = "ideas"
REGISTRATIONS = "registrations"
SUBSCRIPTIONS = "subscriptions"
SCHEDULED_EVENTS = "scheduled_events"
CALLS = "calls"
COUNTERS = "counters"
ABUSE = "abuse_counters"
ADVICE_SLOTS = "advice_slots"  # advisory's published advice times; each holds its bookings and their events
SLOT_CLAIMS = "slot_claims"  # who may take a slot's next generation: `_id` = "<slot>:<n>", a unique-key insert
SLOT_CLAIM_LEASE = timedelta(seconds=30)  # a claim its writer never followed up is passed over after this
NEWSLETTERS = "newsletters"  # the public archive: copies of notify's newsletter-published
DRAFTS = "drafts"  # saved idea forms (never ideas: nothing of them reaches advisory); each carries its mail event
ATTACHMENTS = "attachments"  # one document of metadata per file
ATTACHMENT_CHUNKS = "attachment_chunks"  # the bytes, in chunks of CHUNK_BYTES (`_id` = "<attachment>:<n>")
CHUNK_BYTES = 255 * 1024  # as GridFS's default: well under the 16 MB document limit of every store

OUTBOX_COLLECTIONS = [IDEAS, REGISTRATIONS, SUBSCRIPTIONS, ADVICE_SLOTS, DRAFTS]

INDEXES: dict[str, list[IndexModel]] = {
    IDEAS: [
        IndexModel([("reference", ASCENDING)], unique=True, name="reference"),
        IndexModel([("fingerprint_key", ASCENDING)], unique=True, name="fingerprint_key"),
        IndexModel([("idempotency_key", ASCENDING)], unique=True, name="idempotency_key"),
        IndexModel([("contact.email", ASCENDING)], name="contact_email"),
    ],
    REGISTRATIONS: [
        IndexModel([("key", ASCENDING)], unique=True, name="event_and_email"),
        IndexModel([("participant.email", ASCENDING)], name="participant_email"),
        IndexModel([("scheduled_event_id", ASCENDING)], name="scheduled_event"),
        IndexModel([("registration_id", ASCENDING)], name="registration_id"),
    ],
    SUBSCRIPTIONS: [
        IndexModel([("subscription_id", ASCENDING)], unique=True, name="subscription_id"),
        IndexModel([("email", ASCENDING)], name="email"),
    ],
    SCHEDULED_EVENTS: [IndexModel([("starts_ms", ASCENDING)], name="starts_ms")],
    NEWSLETTERS: [IndexModel([("published_ms", ASCENDING)], name="published_ms")],
    CALLS: [IndexModel([("status", ASCENDING), ("closes_on", ASCENDING)], name="open_calls")],
    ADVICE_SLOTS: [
        IndexModel([("status", ASCENDING), ("starts_ms", ASCENDING)], name="free_slots"),
        IndexModel([("booked_emails", ASCENDING)], name="booked_emails"),
        IndexModel([("booked_ideas", ASCENDING)], name="booked_ideas"),
    ],
    DRAFTS: [
        IndexModel([("expires_ms", ASCENDING)], name="expires_ms"),
        IndexModel([("email", ASCENDING)], name="email"),
    ],
    ATTACHMENTS: [
        IndexModel([("upload", ASCENDING)], name="upload"),
        IndexModel([("expires_ms", ASCENDING)], name="expires_ms"),
    ],
    ATTACHMENT_CHUNKS: [IndexModel([("attachment_id", ASCENDING)], name="attachment_id")],
}

ERASED = "[poistettu]"


class PlaceTaken(Exception):
    """Another registration holds this sign-up number: try the next one."""


def _registration(doc: Document | None) -> Document | None:
    """A registration as read; one stored before seats were documents has its id as `_id`."""
    if doc is not None:
        doc.setdefault("registration_id", doc["_id"])
    return revive(doc)


class ReferenceTaken(Exception):
    """Another idea already has this reference (a concurrent replica, or a counter update the store lost)."""


UNIQUE_IDEA_FIELDS = ("reference", "fingerprint_key", "idempotency_key")


def _collided_index(refused: DuplicateKeyError) -> str | None:
    """Which unique field of an idea refused the insert, when the store says (MongoDB: `keyPattern`; others name
    it in the message); None when it does not say, and every candidate is looked up."""
    details = refused.details or {}
    pattern = details.get("keyPattern") or details.get("keyValue")
    if isinstance(pattern, dict) and len(pattern) == 1:
        return str(next(iter(pattern)))
    message = str(details.get("errmsg") or refused)
    named = [f for f in UNIQUE_IDEA_FIELDS if f in message]
    return named[0] if len(named) == 1 else None


class ReferenceCounters:
    """The per-year reference counters (`counters`, `_id` = `counter_key`) and the number ranges a stopping replica
    handed back (`_id` = `<counter>:returned:<first>`); the blocks themselves are in `domain/reference.py`."""

    def __init__(self, counters: Collection) -> None:
        self.counters = counters

    async def reserve(self, key: str, size: int) -> tuple[int, int, bool]:
        """The next `size` numbers of `key`, by one `$inc`: (first, last, whether returned ranges are waiting)."""
        for _ in range(3):
            try:  # two first reservations of a year may race on the upsert's insert; some stores return None then
                doc = await self.counters.find_one_and_update({"_id": key}, {"$inc": {"seq": size}}, upsert=True)
            except DuplicateKeyError:
                continue
            if doc is not None:
                last = int(doc["seq"])
                return last - size + 1, last, int(doc.get("returned", 0)) > 0
        raise RuntimeError(f"counter {key} could not be incremented")

    async def claim_returned(self, key: str) -> tuple[int, int] | None:
        """One range another replica handed back, now this replica's (the delete decides between claimers)."""
        found = await self.counters.find_one({"returned_of": key})
        if found is None or (await self.counters.delete_one({"_id": found["_id"]})).deleted_count != 1:
            return None
        await self.counters.update_one({"_id": key}, {"$inc": {"returned": -1}})
        return int(found["start"]), int(found["end"])

    async def hand_back(self, key: str, first: int, last: int) -> None:
        """Numbers reserved and never used: the counter is set back when they are its last ones (nobody reserved
        since), else they are kept as a range the next reservation of any replica takes first."""
        if (await self.counters.update_one({"_id": key, "seq": last}, {"$set": {"seq": first - 1}})).modified_count:
            return
        range_id = f"{key}:returned:{first}"
        if await self.counters.insert_new({"_id": range_id, "returned_of": key, "start": first, "end": last}):
            await self.counters.update_one({"_id": key}, {"$inc": {"returned": 1}})


class RegistrationPlaces:
    """The registrations of trainings and forums: sign-up numbers, the line, cancelling and promoting (a part of
    `IntakeStore`, kept apart so each reads as one subject)."""

    registrations: Collection
    place_hints: PlaceHints

    async def places_taken(self, event_id: str) -> int:
        """The highest sign-up number taken, from this replica's hint (counted on first use: the numbers are
        gapless and a cancelled registration keeps its document, so the count is the highest number)."""
        known = self.place_hints.get(event_id)
        if known is None:
            known = await self.registrations.count_documents({"scheduled_event_id": event_id})
            self.place_hints.remember(event_id, known)
        return known

    async def live_ahead(self, event_id: str, place: Place, capacity: int) -> int:
        """How many registrations before this sign-up number are not cancelled (not counted while fewer than
        `capacity` came before it: a seat either way)."""
        if place.number <= capacity:
            return place.number - 1
        # a registration stored before sign-ups were numbered has no `seq`: it came before every numbered one
        return await self.registrations.count_documents(
            {
                "scheduled_event_id": event_id,
                "status": {"$in": list(LIVE)},
                "$or": [{"seq": {"$lt": place.number}}, {"seq": None}],
            }
        )

    async def seat_counts(self, event_ids: list[str]) -> dict[str, SeatsTaken]:
        """Seats and waiting-list places taken per event, counted from the registrations (one query per status:
        a `$group` on a compound key is outside the store subset)."""
        counts: dict[str, dict[str, int]] = {event_id: {} for event_id in event_ids}
        for status in LIVE:
            rows = await self.registrations.aggregate(
                [
                    {"$match": {"scheduled_event_id": {"$in": event_ids}, "status": status}},
                    {"$group": {"_id": "$scheduled_event_id", "n": {"$sum": 1}}},
                ]
            )
            for row in rows:
                counts[row["_id"]][status] = int(row["n"])
        return {event_id: SeatsTaken(c.get("confirmed", 0), c.get("waitlisted", 0)) for event_id, c in counts.items()}

    async def confirmed_count(self, event_id: str) -> int:
        return await self.registrations.count_documents({"scheduled_event_id": event_id, "status": "confirmed"})

    async def registration_by_key(self, key: str) -> Document | None:
        return _registration(await self.registrations.find_one({"key": key}, {"outbox": 0}))

    async def registration(self, registration_id: str) -> Document | None:
        return _registration(await self.registrations.find_one({"registration_id": registration_id}, {"outbox": 0}))

    async def live_registrations_of(self, email: str) -> list[str]:
        """The registration ids of a person's sign-ups that still hold a seat or a place in line."""
        query = {"participant.email": email, "status": {"$in": list(LIVE)}}
        return [str(d["registration_id"]) async for d in self.registrations.find(query, {"registration_id": 1})]

    async def registration_at(self, doc_id: str) -> Document | None:
        return _registration(await self.registrations.find_one({"_id": doc_id}, {"outbox": 0}))

    async def line(self, event_id: str) -> list[tuple[str, Status]]:
        """Every registration of the event not cancelled, as (document id, status), in sign-up order."""
        cursor = self.registrations.find(
            {"scheduled_event_id": event_id, "status": {"$in": list(LIVE)}}, {"_id": 1, "status": 1, "seq": 1}
        )
        rows = [d async for d in cursor]
        rows.sort(key=lambda d: int(d.get("seq") or 0))
        return [(str(d["_id"]), d["status"]) for d in rows]

    async def record_registration(self, place: Place, doc: Document, event: Envelope) -> Document | None:
        """Insert the registration at its sign-up number (its `_id` is `place.place_id`). Returns the existing
        registration instead when this person already signed up; raises PlaceTaken when another holds the number."""
        event_id = doc["scheduled_event_id"]
        try:
            await self.registrations.insert_one({**doc, **outbox_fields(event)})
        except DuplicateKeyError:
            winner = await self.registration_by_key(doc["key"])
            if winner is not None:
                return winner
            self.place_hints.taken(event_id, place)
            raise PlaceTaken(place) from None
        self.place_hints.taken(event_id, place)
        return None

    async def cancel_registration(self, doc_id: str, was: Status, cancelled_at: datetime, event: Envelope) -> bool:
        """confirmed/waitlisted -> cancelled once: a compare-and-set on the one document, named by `_id` (the
        adapter's lock on one replica); the registrant's key is released so they can sign up again."""
        result = await self.registrations.update_one(
            {"_id": doc_id, "status": was},
            {
                "$set": {
                    "status": "cancelled",
                    "cancelled_at": cancelled_at,
                    "position_on_waitlist": None,
                    "key": f"cancelled:{doc_id}",
                    **outbox_set(event),
                }
            },
        )
        return result.modified_count == 1

    async def promote(self, doc_id: str, promoted_at: datetime, event: Envelope) -> bool:
        """waitlisted -> confirmed once, with its registration-promoted event: a compare-and-set on the one
        document, so a redelivery or a second replica finds it confirmed and promotes nobody else for it."""
        result = await self.registrations.update_one(
            {"_id": doc_id, "status": "waitlisted"},
            {
                "$set": {
                    "status": "confirmed",
                    "promoted_at": promoted_at,
                    "position_on_waitlist": None,
                    **outbox_set(event),
                }
            },
        )
        return result.modified_count == 1


@dataclass(frozen=True)
class SlotClaim:
    n: int  # the slot generation claimed
    booking_id: str | None  # the booking the claim is for (an earlier click's when the same person claimed first)


class AdviceSlotStore:
    """The advice times (copies of advisory's advice-slot-* events) and the bookings decided on them here.

    Who takes a free slot (a booking, or advisory's withdrawal) is decided by a unique-key insert, which every
    supported store enforces across replicas: claim n of the slot, `slot_claims._id = "<slot>:<n>"`, n one past the
    slot's `claim_n` (its generation). Only the claim's winner then marks the slot, guarded by `claim_n` below n and
    setting it to n (the booking and its advice-session-booked in the same write). A cancellation frees the slot and
    leaves `claim_n` at n, so the next booking claims n+1. A claim whose writer never marked the slot (a crash or a
    lost store between the two writes) is passed over once it is older than `SLOT_CLAIM_LEASE`: the next writer
    claims n+1, whose mark needs `claim_n` below n+1, so the slot's number jumps past the orphan. (The
    compare-and-set on the slot alone that this replaced held within one replica only on the CI store: two replicas
    gave two bookings of ten in each of four runs; docs/working-on-koonto.md, "Decisions concurrent writers race
    for".)"""

    def __init__(self, store: Store, scope: RegionScope | None = None) -> None:
        self.slots = store[ADVICE_SLOTS]
        self.scope = scope or RegionScope()
        self.claims = store[SLOT_CLAIMS]

    async def keep_published(self, slot: Document) -> None:
        """advice-slot-published: a new free slot (a redelivery, or one that arrives after its withdrawal or a
        booking, changes nothing)."""
        await self.slots.update_one(
            {"_id": slot["slot_id"]},
            {
                "$setOnInsert": {
                    **{k: v for k, v in slot.items() if k != "slot_id"},
                    "starts_ms": epoch_ms(slot["starts_at"]),
                    "status": "free",
                    "booking_id": None,
                    "bookings": {},
                    "booked_emails": [],
                    "booked_ideas": [],
                }
            },
            upsert=True,
        )

    async def withdraw(self, slot_id: str, n: int, withdrawn_at: datetime) -> bool:
        """free -> withdrawn under claim n; False when the slot moved on (someone booked it first: it stands)."""
        result = await self.slots.update_one(
            {"_id": slot_id, "status": "free", "booking_id": None, "claim_n": _claimed_below(n)},
            {"$set": {"status": "withdrawn", "withdrawn_at": withdrawn_at, "claim_n": n}},
        )
        return result.modified_count == 1

    # -- the claims ------------------------------------------------------------------------------------------
    async def claim(self, seen: Document, *, who: str, booking_id: str | None, now: datetime) -> SlotClaim | None:
        """The slot's next generation for this writer, or None when another writer holds it.

        `seen` is the slot as read. A number the slot has moved past since (read stale) is tried again from the
        slot as it is now; one whose writer never marked the slot is passed over after the lease (the next number is
        claimed: nothing is written to the slot for it, so no write there can race the winner's mark). A fresh
        claim of the same `who` (the same person's double submit, advisory's withdrawal redelivered) is returned as
        theirs, with the booking id it names."""
        slot_id = seen["_id"]
        n = int(seen.get("claim_n") or 0) + 1
        for _ in range(6):  # each pass moves n on; a handful covers any real interleaving
            claim = {"_id": f"{slot_id}:{n}", "slot": slot_id, "n": n, "who": who, "booking_id": booking_id,
                     "claimed_at": now}
            if await self.claims.insert_new(claim):
                return SlotClaim(n, booking_id)
            held = revive(await self.claims.find_one({"_id": f"{slot_id}:{n}"}))
            current = await self.slots.find_one({"_id": slot_id}, {"claim_n": 1, "status": 1})
            if current is None or current.get("status") != "free":
                return None
            if held is None:  # released by its writer just now: the number is free again
                continue
            if int(current.get("claim_n") or 0) >= n:  # read stale: the slot is past it
                n = int(current["claim_n"]) + 1
                continue
            if held["claimed_at"] > now - SLOT_CLAIM_LEASE:
                return SlotClaim(n, held.get("booking_id")) if held.get("who") == who else None
            n += 1  # orphaned: its writer never marked the slot
        return None

    async def release(self, slot_id: str, n: int) -> None:
        """A claim whose mark found the slot moved on decides nothing: free the number for the next writer."""
        await self.claims.delete_one({"_id": f"{slot_id}:{n}"})

    async def slot(self, slot_id: str) -> Document | None:
        return revive(await self.slots.find_one({"_id": slot_id}, {"outbox": 0}))

    async def free_from(self, ms: int, limit: int = 200) -> list[Document]:
        """Free slots starting at or after `ms`, soonest first (no personal data: bookings left out)."""
        query = {"status": "free", "starts_ms": {"$gte": ms}, **self.scope.query()}
        found = self.slots.find(query, {"outbox": 0, "bookings": 0, "booked_emails": 0, "booked_ideas": 0})
        return [revive(doc) async for doc in found.sort("starts_ms", ASCENDING).limit(limit)]

    async def book(self, slot_id: str, n: int, booking: Document, event: Envelope) -> bool:
        """The winner of claim n marks the slot: True when this booking got it, False when the slot moved on."""
        booking_id = booking["booking_id"]
        additions: Document = {"booked_emails": booking["contact"]["email"]}
        if booking.get("idea_id"):
            additions["booked_ideas"] = booking["idea_id"]
        result = await self.slots.update_one(
            {"_id": slot_id, "status": "free", "booking_id": None, "claim_n": _claimed_below(n)},
            {
                "$set": {
                    "status": "booked",
                    "booking_id": booking_id,
                    "claim_n": n,
                    f"bookings.{booking_id}": booking,
                    **outbox_set(event),
                },
                "$addToSet": additions,
            },
        )
        return result.modified_count == 1

    async def cancel(self, slot_id: str, booking_id: str, cancelled_at: datetime, event: Envelope) -> bool:
        """booked -> free once: the slot can be booked again (its next generation, claim `claim_n` + 1); the
        cancelled booking stays, marked."""
        result = await self.slots.update_one(
            {"_id": slot_id, "status": "booked", "booking_id": booking_id},
            {
                "$set": {
                    "status": "free",
                    "booking_id": None,
                    f"bookings.{booking_id}.status": "cancelled",
                    f"bookings.{booking_id}.cancelled_at": cancelled_at,
                    **outbox_set(event),
                }
            },
        )
        return result.modified_count == 1

    async def erase_person(self, email: str, idea_ids: tuple[str, ...]) -> None:
        """The person's bookings lose their contact and topic; that a time was booked stays. Safe to run again."""
        who: list[Document] = [{"booked_emails": email}]
        if idea_ids:
            who.append({"booked_ideas": {"$in": list(idea_ids)}})
        async for slot in self.slots.find({"$or": who}, {"bookings": 1}):
            erased: Document = {
                f"bookings.{booking_id}.contact": {
                    "name": ERASED,
                    "email": None,
                    "phone": None,
                    "language": booking.get("contact", {}).get("language", "fi"),
                }
                for booking_id, booking in (slot.get("bookings") or {}).items()
                if (booking.get("contact") or {}).get("email") == email or booking.get("idea_id") in idea_ids
            }
            erased.update({f"bookings.{key.split('.')[1]}.topic": ERASED for key in list(erased)})
            if erased:
                await self.slots.update_one(
                    {"_id": slot["_id"]}, {"$set": {**erased, "erased_at": utcnow()}, "$pull": {"booked_emails": email}}
                )


class NewsletterArchive:
    """The sent newsletters, each with its editions, as notify announced them (kept once per campaign)."""

    def __init__(self, store: Store, scope: RegionScope | None = None) -> None:
        self.collection = store[NEWSLETTERS]
        self.scope = scope or RegionScope()

    async def keep(self, doc: Document) -> bool:
        """Once per campaign: a redelivered or repeated announcement changes nothing."""
        result = await self.collection.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)
        return result.upserted_id is not None

    async def newest(self, limit: int = 100) -> list[Document]:
        cursor = self.collection.find(self.scope.query()).sort("published_ms", -1).limit(limit)
        return [revive(d) async for d in cursor]

    async def one(self, campaign_id: str) -> Document | None:
        return self.scope.only(revive(await self.collection.find_one({"_id": campaign_id})))


class UploadStore:
    """Drafts of the idea form and the files sent with it, kept in intake's own database as chunked documents
    through this adapter (GridFS would need the raw database; why not, in docs/architecture.md); plain inserts of
    binary fields work on every supported store, `tests/intake/integration/test_attachments.py`.

    Files belong to an upload (`upload`: the id of one filling of the form, also the draft's id). Until the idea
    is sent they expire with the draft (`expires_ms`); sending it sets `idea_id` and `expires_ms` = 0 (kept)."""

    def __init__(self, store: Store) -> None:
        self.drafts = store[DRAFTS]
        self.files = store[ATTACHMENTS]
        self.chunks = store[ATTACHMENT_CHUNKS]

    async def add_file(self, meta: Document, data: bytes) -> None:
        """The chunks first, then the metadata: a file is listed only once all its bytes are stored."""
        chunks = [
            {"_id": f"{meta['_id']}:{n}", "attachment_id": meta["_id"], "n": n, "data": data[at : at + CHUNK_BYTES]}
            for n, at in enumerate(range(0, len(data), CHUNK_BYTES))
        ]
        await self.chunks.insert_many(chunks)
        await self.files.insert_one(meta)

    async def files_of(self, upload: str) -> list[Document]:
        found = await self.files.find(
            {"upload": upload}, {"_id": 1, "name": 1, "type": 1, "size": 1, "sha256": 1, "uploaded_ms": 1}
        ).to_list(None)
        return sorted(found, key=lambda f: (f.get("uploaded_ms", 0), f["_id"]))

    async def file(self, attachment_id: str) -> Document | None:
        return await self.files.find_one({"_id": attachment_id})

    async def content(self, attachment_id: str) -> bytes:
        chunks = await self.chunks.find({"attachment_id": attachment_id}).to_list(None)
        return b"".join(bytes(c["data"]) for c in sorted(chunks, key=lambda c: int(c["n"])))

    async def remove_files(self, upload: str, attachment_ids: list[str]) -> None:
        for attachment_id in attachment_ids:
            if (await self.files.delete_one({"_id": attachment_id, "upload": upload})).deleted_count:
                await self.chunks.delete_many({"attachment_id": attachment_id})

    async def keep_until(self, upload: str, expires_ms: int) -> None:
        await self.files.update_many({"upload": upload, "idea_id": None}, {"$set": {"expires_ms": expires_ms}})

    async def belong_to_idea(self, upload: str, idea_id: str) -> None:
        await self.files.update_many({"upload": upload}, {"$set": {"idea_id": idea_id, "expires_ms": 0}})

    async def delete_uploads(self, uploads: list[str]) -> None:
        """The files of these uploads, bytes first (safe to run again)."""
        if not uploads:
            return
        ids = [f["_id"] for f in await self.files.find({"upload": {"$in": uploads}}, {"_id": 1}).to_list(None)]
        if ids:
            await self.chunks.delete_many({"attachment_id": {"$in": ids}})
            await self.files.delete_many({"_id": {"$in": ids}})

    # -- drafts --------------------------------------------------------------------------------------------
    async def draft(self, draft_id: str) -> Document | None:
        return revive(await self.drafts.find_one({"_id": draft_id}, {"outbox": 0}))

    async def save_draft(self, doc: Document, event: Envelope | None) -> None:
        """The draft's answers (and, when a mail goes, its event) in one write."""
        changes = {k: v for k, v in doc.items() if k != "_id"}
        update: Document = {"$set": {**changes, **(outbox_set(event) if event else {})}}
        await self.drafts.update_one({"_id": doc["_id"]}, update, upsert=True)

    async def drop_draft(self, draft_id: str) -> None:
        await self.drafts.delete_one({"_id": draft_id})

    async def delete_expired(self, now_ms: int) -> int:
        """Drafts past their time, with their files, and files of a form never saved nor sent (idempotent)."""
        expired = await self.drafts.find({"expires_ms": {"$lt": now_ms}}, {"_id": 1}).to_list(None)
        uploads = [d["_id"] for d in expired]
        stray = await self.files.find(
            {"idea_id": None, "expires_ms": {"$gt": 0, "$lt": now_ms}}, {"upload": 1}
        ).to_list(None)
        await self.delete_uploads(sorted({*uploads, *(f["upload"] for f in stray)}))
        if uploads:
            await self.drafts.delete_many({"_id": {"$in": uploads}, "expires_ms": {"$lt": now_ms}})
        return len(uploads)

    async def erase_person(self, email: str, uploads: list[str]) -> None:
        """The person's drafts and the files of their ideas (`uploads`) and drafts."""
        drafts = await self.drafts.find({"email": email}, {"_id": 1}).to_list(None)
        draft_ids = [d["_id"] for d in drafts]
        await self.delete_uploads(sorted({*uploads, *draft_ids}))
        if draft_ids:
            await self.drafts.delete_many({"_id": {"$in": draft_ids}})


class IntakeStore(RegistrationPlaces):
    """Built on the shared `Store`: writes naming one document by `_id` are serialised there, times revived."""

    def __init__(self, store: Store, scope: RegionScope | None = None) -> None:
        self.store = store
        self.scope = scope or RegionScope()  # the current region's items, for the public lists
        self.ideas = store[IDEAS]
        self.registrations = store[REGISTRATIONS]
        self.subscriptions = store[SUBSCRIPTIONS]
        self.events = store[SCHEDULED_EVENTS]
        self.calls = store[CALLS]
        self.references = ReferenceCounters(store[COUNTERS])
        self.abuse = store[ABUSE]
        self.place_hints = PlaceHints()
        self.advice = AdviceSlotStore(store, self.scope)
        self.newsletters = NewsletterArchive(store, self.scope)
        self.uploads = UploadStore(store)

    # -- ideas ---------------------------------------------------------------------------------------------
    async def idea(self, idea_id: str) -> Document | None:
        return revive(await self.ideas.find_one({"_id": idea_id}, {"outbox": 0}))

    async def idea_by_fingerprint(self, fingerprint_key: str) -> Document | None:
        return revive(await self.ideas.find_one({"fingerprint_key": fingerprint_key}, {"outbox": 0}))

    async def idea_by_idempotency_key(self, key: str) -> Document | None:
        return revive(await self.ideas.find_one({"idempotency_key": key}, {"outbox": 0}))

    async def release_fingerprint(self, idea_id: str, fingerprint_key: str) -> None:
        """An old idea gives its fingerprint up, so the same text sent again later is a new idea."""
        await self.ideas.update_one(
            {"_id": idea_id, "fingerprint_key": fingerprint_key},
            {"$set": {"fingerprint_key": f"{fingerprint_key}:released:{idea_id}"}},
        )

    async def record_idea(self, doc: Document, *events: Envelope) -> Document | None:
        """Insert the idea with its events: one write, no look-up first. The unique indexes on `ideas` decide a
        double submit (`idempotency_key`, `fingerprint_key`) atomically on every supported store, across replicas.
        Returns the idea this one duplicates instead (nothing written); raises ReferenceTaken when the reference
        is what collided. Only a refused insert reads: a duplicate is rare, and the common path stays one write."""
        try:
            await self.ideas.insert_one({**doc, **outbox_fields(*events)})
        except DuplicateKeyError as refused:
            collided = _collided_index(refused)
            keyed = not doc["idempotency_key"].startswith("none:")  # without a key sent it is unique per idea
            candidates = ("idempotency_key", "fingerprint_key") if keyed else ("fingerprint_key",)
            for field in (f for f in candidates if collided in (None, f)):
                existing = revive(await self.ideas.find_one({field: doc[field]}, {"outbox": 0}))
                if existing is not None:
                    return existing
            # neither key: the other unique field is the reference (the _id is a fresh UUIDv7)
            raise ReferenceTaken(doc["reference"]) from None
        return None

    async def record_stage(self, idea_id: str, stage: str, changed_at: datetime, event_id: str) -> bool:
        """Keep the newest stage: an older event arriving late changes nothing."""
        result = await self.ideas.update_one(
            {"_id": idea_id, "stage_changed_ms": {"$lt": epoch_ms(changed_at)}},
            {
                "$set": {
                    "stage": stage,
                    "stage_changed_at": changed_at,
                    "stage_changed_ms": epoch_ms(changed_at),
                    "stage_event_id": event_id,
                }
            },
        )
        return result.matched_count == 1

    async def amend_idea(self, idea_id: str, changes: Document, event: Envelope) -> bool:
        result = await self.ideas.update_one(
            {"_id": idea_id, "erased_at": None},
            {
                "$set": {**changes, "amended_at": utcnow(), **outbox_set(event)},
                "$push": {
                    "amendments": {
                        "at": utcnow(),
                        "event_id": event.id,
                        "fields": list(event.data["changed_fields"]),
                    }
                },
            },
        )
        return result.modified_count == 1

    async def ideas_of(self, email: str) -> list[str]:
        return [d["_id"] async for d in self.ideas.find({"contact.email": email}, {"_id": 1})]

    async def erase_idea_contact(self, idea_id: str, event: Envelope) -> bool:
        """The erasure request and the first erasure in one write: this idea's contact is gone at once."""
        result = await self.ideas.update_one(
            {"_id": idea_id, "erased_at": None},
            {
                "$set": {"erased_at": utcnow(), "erasure_request_id": event.data["request_id"], **outbox_set(event)},
                "$unset": {"contact": "", "amendments": ""},
            },
        )
        return result.modified_count == 1

    async def erase_person(self, email: str, phone: str | None, idea_ids: tuple[str, ...], request_id: str) -> None:
        """Everything intake keeps about this person, anonymised; safe to run again."""
        now = utcnow()
        who: list[Document] = [{"contact.email": email}]
        if phone:
            who.append({"contact.phone": phone})
        if idea_ids:
            who.append({"_id": {"$in": list(idea_ids)}})
        # the status-link request has already unset this idea's contact: its uploads are found by id as well
        ideas = await self.ideas.find({"$or": who}, {"upload_id": 1}).to_list(None)
        await self.uploads.erase_person(email, [i["upload_id"] for i in ideas if i.get("upload_id")])
        await self.ideas.update_many(
            {"$or": who},
            {
                "$set": {"erased_at": now, "erasure_request_id": request_id, "attachments": []},
                "$unset": {"contact": "", "amendments": ""},
            },
        )
        async for registration in self.registrations.find({"participant.email": email}, {"_id": 1}):
            await self.registrations.update_one(
                {"_id": registration["_id"]},
                {
                    "$set": {
                        "erased_at": now,
                        "participant": {"name": ERASED},
                        "key": f"erased:{registration['_id']}",
                        "gender": None,
                        "dietary_needs": None,
                        "accessibility_needs": None,
                    }
                },
            )
        await self.advice.erase_person(email, idea_ids)
        async for sub in self.subscriptions.find({"email": email}, {"_id": 1}):
            await self.subscriptions.update_one(
                {"_id": sub["_id"]},
                {
                    "$set": {"status": "erased", "erased_at": now, "email": None},
                    "$unset": {"language": "", "municipality": ""},
                },
            )

    # -- abuse ---------------------------------------------------------------------------------------------
    async def count_abuse(self, reason: str) -> None:
        await self.abuse.update_one({"_id": reason}, {"$inc": {"count": 1}, "$set": {"last_at": utcnow()}}, upsert=True)

    async def abuse_counts(self) -> dict[str, int]:
        return {d["_id"]: int(d["count"]) async for d in self.abuse.find()}

    # -- funding calls (copies from advisory's events) -----------------------------------------------------
    async def open_call(self, call: Document) -> None:
        await self.calls.update_one(
            {"_id": call["call_id"]},
            {"$set": {k: v for k, v in call.items() if k != "call_id"}, "$setOnInsert": {"status": "open"}},
            upsert=True,
        )

    async def close_call(self, call_id: str, name: str, closed_on: date) -> None:
        await self.calls.update_one(
            {"_id": call_id},
            {"$set": {"status": "closed", "closed_on": closed_on.isoformat(), "name": name}},
            upsert=True,
        )

    async def open_calls(self, today: date) -> list[Document]:
        query = {"status": "open", "closes_on": {"$gte": today.isoformat()}, **self.scope.query()}
        cursor = self.calls.find(query).sort("closes_on", 1)
        return [d async for d in cursor]

    # -- trainings and forums ------------------------------------------------------------------------------
    async def schedule_event(self, event: Document) -> None:
        await self.events.update_one(
            {"_id": event["scheduled_event_id"]},
            {
                "$set": {
                    **{k: v for k, v in event.items() if k != "scheduled_event_id"},
                    "starts_ms": epoch_ms(event["starts_at"]),
                },
                "$setOnInsert": {"held": False},
            },
            upsert=True,
        )

    async def mark_event_held(self, event_id: str, held_on: date) -> None:
        await self.events.update_one({"_id": event_id}, {"$set": {"held": True, "held_on": held_on.isoformat()}})

    async def upcoming_events(self, now: datetime, limit: int = 100) -> list[Document]:
        upcoming = {"held": False, "starts_ms": {"$gt": epoch_ms(now)}, **self.scope.query()}
        cursor = self.events.find(upcoming).sort("starts_ms", 1).limit(limit)
        return [revive(d) async for d in cursor]  # type: ignore[misc]

    async def scheduled_event(self, event_id: str) -> Document | None:
        return revive(await self.events.find_one({"_id": event_id}))

    # -- subscriptions -------------------------------------------------------------------------------------
    async def subscription(self, key: str) -> Document | None:
        return revive(await self.subscriptions.find_one({"_id": key}, {"outbox": 0}))

    async def subscription_by_id(self, subscription_id: str) -> Document | None:
        return revive(await self.subscriptions.find_one({"subscription_id": subscription_id}, {"outbox": 0}))

    async def create_subscription(self, doc: Document, event: Envelope) -> bool:
        try:
            await self.subscriptions.insert_one({**doc, **outbox_fields(event)})
        except DuplicateKeyError:
            return False  # another request created it a moment ago
        return True

    async def renew_subscription(self, key: str, expected: Document, changes: Document, event: Envelope) -> bool:
        """Move a subscription on only if it is still as we read it (a guarded single-document write)."""
        result = await self.subscriptions.update_one(
            {
                "_id": key,
                "subscription_id": expected["subscription_id"],
                "status": expected["status"],
                "requests": expected.get("requests", 1),
            },
            {"$set": {**changes, **outbox_set(event)}, "$inc": {"requests": 1}},
        )
        return result.modified_count == 1

    async def confirm_subscription(
        self, key: str, subscription_id: str, confirmed_at: datetime, event: Envelope
    ) -> bool:
        """pending -> confirmed once: named by `_id`, so the adapter serialises two confirmations of one
        subscription and the guard decides (a filter without `_id` would not take the document's lock)."""
        result = await self.subscriptions.update_one(
            {"_id": key, "subscription_id": subscription_id, "status": "pending"},
            {"$set": {"status": "confirmed", "confirmed_at": confirmed_at, **outbox_set(event)}},
        )
        return result.modified_count == 1

    async def cancel_subscription(
        self, key: str, subscription_id: str, cancelled_at: datetime, event: Envelope
    ) -> bool:
        """confirmed -> cancelled once (named by `_id`, as `confirm_subscription`)."""
        result = await self.subscriptions.update_one(
            {"_id": key, "subscription_id": subscription_id, "status": "confirmed"},
            {"$set": {"status": "cancelled", "cancelled_at": cancelled_at, **outbox_set(event)}},
        )
        return result.modified_count == 1


def _claimed_below(n: int) -> Any:
    """The slot's `claim_n` below n (a slot kept before claims were numbered has none: 0). An `$in` of the few
    numbers rather than `$lt`, which misses a missing field on some supported stores."""
    return {"$in": [None, *range(n)]}
