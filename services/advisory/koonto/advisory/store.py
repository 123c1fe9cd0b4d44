"""The advisory repository: the only module that talks to the store, built on `koonto.shared.mongo.Store`.

Every write that causes events carries them in the document's embedded outbox (one single-document write).
Reminders and notices fire by inserting a `firings` document under a deterministic unique key that carries
the event: the one write that is atomic on every supported store. Writes naming one document take its lock in
`koonto.shared.mongo` (the relay's writes take the same locks). Kept to the store subset: lists of
sub-documents are kept as maps keyed by a time-ordered id (`timeline.<id>`), never grown with `$push`; flags
that a conditional write tests are written explicitly at insert (`fired: False`), never left missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pymongo import ASCENDING, DESCENDING, IndexModel

from koonto.advisory.domain.case import Case
from koonto.advisory.domain.lifecycle import OPEN_STAGES
from koonto.advisory.domain.schedule import notice_keys
from koonto.advisory.scope import RegionScope
from koonto.shared.contracts import Envelope
from koonto.shared.ids import new_event_id
from koonto.shared.mongo import Document, Store, Tombstones, epoch_ms, revive
from koonto.shared.outbox import outbox_fields, outbox_set
from koonto.shared.region import Regions

STAFF = "staff"
CASES = "cases"
FOLLOWUPS = "followups"
CALLS = "calls"
EVENTS = "scheduled_events"
THROTTLE = "login_throttle"
FIRINGS = "firings"  # one document per reminder/notice sent: its unique _id is what makes it fire once
REGISTRATIONS = "registrations"  # who signed up for a training or forum (intake's registration-received)
PARTNER_PROFILES = "partner_profiles"  # what partner suggestions know of each case (its stemmed terms)
PARTNER_REVISION = "partner_revision"  # one counter, bumped after every profile write: "anything new?" in one read
PARTNER_CHANGES = "partner_changes"  # one small document per profile write, kept an hour: what changed since
INTRODUCTIONS = "introductions"  # one per pair of cases introduced, carrying its associations-introduced
ADVICE_SLOTS = "advice_slots"  # the advice times advisors published (hankeklinikka), carrying their events
ADVICE_BOOKINGS = "advice_bookings"  # intake's advice-session-booked / -cancelled, one per booking id
OUTBOX_COLLECTIONS = (STAFF, CASES, FOLLOWUPS, CALLS, EVENTS, FIRINGS, INTRODUCTIONS, ADVICE_SLOTS)

INDEXES: dict[str, list[IndexModel]] = {
    STAFF: [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")],
    CASES: [
        IndexModel([("idea_id", ASCENDING)], unique=True, name="idea_unique"),
        IndexModel([("stage", ASCENDING)], name="stage"),
        IndexModel([("advisor_id", ASCENDING)], name="advisor"),
        IndexModel([("call_id", ASCENDING), ("stage", ASCENDING)], name="call_stage"),
        IndexModel([("sla.fired", ASCENDING), ("sla.fires_on", ASCENDING)], name="sla_due"),
        IndexModel([("contact.email", ASCENDING)], name="contact_email"),
        IndexModel([("stage_changed_ms", DESCENDING)], name="recent_ms"),
    ],
    FOLLOWUPS: [
        IndexModel([("fired", ASCENDING), ("due_on", ASCENDING)], name="due"),
        IndexModel([("case_id", ASCENDING)], name="case"),
    ],
    CALLS: [IndexModel([("notices_until", ASCENDING)], name="notices_until")],
    EVENTS: [IndexModel([("starts_at", ASCENDING)], name="starts_at")],
    REGISTRATIONS: [
        IndexModel([("scheduled_event_id", ASCENDING)], name="event"),
        IndexModel([("email", ASCENDING)], name="email"),
    ],
    PARTNER_PROFILES: [IndexModel([("updated_ms", ASCENDING)], name="updated_ms")],
    PARTNER_CHANGES: [IndexModel([("updated_ms", ASCENDING)], name="updated_ms")],
    INTRODUCTIONS: [
        IndexModel([("case_a", ASCENDING)], name="case_a"), IndexModel([("case_b", ASCENDING)], name="case_b"),
    ],
    ADVICE_SLOTS: [IndexModel([("starts_ms", ASCENDING)], name="starts_ms")],
    ADVICE_BOOKINGS: [
        IndexModel([("starts_ms", ASCENDING)], name="starts_ms"),
        IndexModel([("idea_id", ASCENDING)], name="idea"),
        IndexModel([("email", ASCENDING)], name="email"),
    ],
    THROTTLE: [
        IndexModel([("key", ASCENDING)], name="attempt_key"),
        IndexModel([("expires_ms", ASCENDING)], name="attempt_expiry"),
    ],
}

CASE_LIST_PROJECTION = {"timeline": 0, "outbox": 0, "contact": 0, "search": 0}


def iso(day: date) -> str:
    return day.isoformat()


def _with_ms(fields: Document) -> Document:
    """The moment of the last stage change also as epoch milliseconds: the board sorts by it on every store."""
    if isinstance(fields.get("stage_changed_at"), datetime):
        return {**fields, "stage_changed_ms": epoch_ms(fields["stage_changed_at"])}
    return fields


ERASED_REGISTRANT: Document = {"$set": {"name": None, "email": None, "phone": None, "gender": None,
                                        "dietary_needs": None, "accessibility_needs": None,
                                        "on_participant_list": False, "erased": True}}


class Conflict(Exception):
    """The document changed between read and write (another request got there first)."""


@dataclass(frozen=True)
class CaseFilter:
    stage: str | None = None
    municipality: str | None = None
    advisor_id: str | None = None  # "none" = unassigned
    call_id: str | None = None
    theme: str | None = None
    text: str | None = None
    open_only: bool = False

    def query(self) -> Document:
        query: Document = {}
        if self.stage:
            query["stage"] = self.stage
        elif self.open_only:
            query["stage"] = {"$in": list(OPEN_STAGES)}
        if self.municipality:
            query["organisation.municipality"] = self.municipality
        if self.advisor_id == "none":
            query["advisor_id"] = None
        elif self.advisor_id:
            query["advisor_id"] = self.advisor_id
        if self.call_id:
            query["call_id"] = self.call_id
        if self.theme:
            query["themes"] = self.theme
        if self.text and self.text.strip():
            # plain text only: escaped, so nothing a user types becomes an operator or a pattern
            query["search"] = {"$regex": re.escape(self.text.strip().lower()[:100])}
        return query


class PartnerRecords:
    """Partner profiles (one per case, `listed: False` once it may not be suggested: a tombstone the other
    replicas' indexes see by its `updated_ms`) and the introductions made."""

    def __init__(self, store: Store) -> None:
        self.profiles = store[PARTNER_PROFILES]
        self.revisions = store[PARTNER_REVISION]
        self.changes = store[PARTNER_CHANGES]
        self.introductions = store[INTRODUCTIONS]

    async def put_profile(self, case_id: str, fields: Document | None) -> Document:
        """The case's profile, or its tombstone when `fields` is None (erased, or no consent: nothing kept)."""
        doc: Document = {"_id": case_id, "listed": fields is not None, "updated_ms": epoch_ms(), **(fields or {})}
        await self.profiles.replace_one({"_id": case_id}, doc, upsert=True)
        await self.changes.insert_one({"_id": new_event_id(), "case_id": case_id, "updated_ms": doc["updated_ms"]})
        # after the profile: a reader that sees the new number finds the profile. A lost increment (two replicas
        # at once on a store without atomic $inc) still changes the number, which is all a reader asks
        await self.revisions.update_one({"_id": "profiles"}, {"$inc": {"n": 1}}, upsert=True)
        return doc

    async def revision(self) -> int:
        doc = await self.revisions.find_one({"_id": "profiles"})
        return int(doc["n"]) if doc else 0

    async def listed_profiles(self) -> list[Document]:
        return [doc async for doc in self.profiles.find({"listed": True})]

    async def profiles_changed_since(self, ms: int) -> list[Document]:
        """The profiles written since `ms`, found through the small change log and then read by `_id` (a query
        on the profiles' own `updated_ms` read the whole collection on one supported store: 13 s at 10,000)."""
        case_ids = {doc["case_id"] async for doc in self.changes.find({"updated_ms": {"$gte": ms}})}
        found = [await self.profiles.find_one({"_id": case_id}) for case_id in sorted(case_ids)]
        return [doc for doc in found if doc is not None]

    async def forget_changes_before(self, ms: int) -> None:
        await self.changes.delete_many({"updated_ms": {"$lt": ms}})

    async def record_introduction(self, doc: Document, event: Envelope) -> bool:
        """False when the pair was introduced already (its `_id` is the pair). The two cases are also kept as
        plain fields `case_a`, `case_b` to be found by: one of the supported stores found no document by an
        element of the indexed list `case_ids` (the case page listed nothing; docs/working-on-koonto.md)."""
        case_a, case_b = doc["case_ids"]
        return await self.introductions.insert_new({**doc, "case_a": case_a, "case_b": case_b, **outbox_fields(event)})

    async def introductions_of(self, case_id: str) -> list[Document]:
        found: list[Document] = []
        for side in ("case_a", "case_b"):
            found += [revive(doc) async for doc in self.introductions.find({side: case_id}, {"outbox": 0})]
        return sorted(found, key=lambda doc: -int(doc["introduced_ms"]))


class AdviceSlotRecords:
    """The advice times advisors published (`status`: free, withdrawn; booked once intake says so). The booking
    itself is decided in intake, where the public request arrives; this is the advisors' copy."""

    def __init__(self, store: Store, scope: RegionScope) -> None:
        self.slots = store[ADVICE_SLOTS]
        self.bookings = store[ADVICE_BOOKINGS]
        self.scope = scope

    async def publish(self, doc: Document, event: Envelope) -> None:
        await self.slots.insert_one({**doc, "starts_ms": epoch_ms(doc["starts_at"]), **outbox_fields(event)})

    async def slot(self, slot_id: str) -> Document | None:
        return self.scope.visible(revive(await self.slots.find_one({"_id": slot_id}, {"outbox": 0})))

    async def from_time(self, ms: int, limit: int = 500) -> list[Document]:
        """The slots starting at or after `ms`, soonest first."""
        query = {"starts_ms": {"$gte": ms}, **self.scope.query()}
        found = self.slots.find(query, {"outbox": 0}).sort("starts_ms", ASCENDING).limit(limit)
        return [revive(doc) async for doc in found]

    async def withdraw(self, slot_id: str, changes: Document, event: Envelope) -> bool:
        """free -> withdrawn once (named by `_id`: the adapter serialises two clicks and the guard decides)."""
        result = await self.slots.update_one(
            {"_id": slot_id, "status": "free"}, {"$set": {"status": "withdrawn", **changes, **outbox_set(event)}}
        )
        return result.modified_count == 1

    # -- the bookings intake decided ---------------------------------------------------------------------------
    async def record_booking(self, doc: Document) -> Document:
        """advice-session-booked, kept once per booking id (a redelivery writes the same values again). A
        cancellation that arrived first keeps its status. Returns the booking as stored."""
        fields = {k: v for k, v in doc.items() if k != "_id"}
        await self.bookings.update_one(
            {"_id": doc["_id"]},
            {"$set": {**fields, "starts_ms": epoch_ms(doc["starts_at"])},
             "$setOnInsert": {"status": "booked", "session_id": None}},
            upsert=True,
        )
        stored = revive(await self.bookings.find_one({"_id": doc["_id"]}))
        if stored.get("status") == "booked":
            await self.slots.update_one({"_id": doc["slot_id"]}, {"$set": {"status": "booked",
                                                                           "booking_id": doc["_id"]}})
        return stored  # type: ignore[no-any-return]

    async def cancel_booking(
        self, booking_id: str, slot_id: str, cancelled_at: datetime, rebooked_as: str | None = None
    ) -> None:
        """advice-booking-cancelled: the booking is cancelled (or moved: `rebooked_as`), and its slot free again if
        it still held it."""
        await self.bookings.update_one(
            {"_id": booking_id},
            {"$set": {"status": "cancelled", "cancelled_at": cancelled_at, "slot_id": slot_id,
                      "rebooked_as": rebooked_as}},
            upsert=True,
        )
        await self.slots.update_one({"_id": slot_id, "booking_id": booking_id},
                                    {"$set": {"status": "free", "booking_id": None}})

    async def booking(self, booking_id: str) -> Document | None:
        return self.scope.visible(revive(await self.bookings.find_one({"_id": booking_id})))

    async def bookings_from(self, ms: int, limit: int = 500) -> list[Document]:
        query = {"starts_ms": {"$gte": ms}, **self.scope.query()}
        found = self.bookings.find(query).sort("starts_ms", ASCENDING).limit(limit)
        return [revive(doc) async for doc in found]

    async def bookings_of_idea(self, idea_id: str) -> list[Document]:
        found = self.bookings.find({"idea_id": idea_id}).sort("starts_ms", DESCENDING)
        return [revive(doc) async for doc in found]

    async def claim_session(self, booking_id: str, session_id: str) -> bool:
        """The one click that logs a held booking as a session: the first claim wins (named by `_id`)."""
        result = await self.bookings.update_one(
            {"_id": booking_id, "status": "booked", "session_id": None}, {"$set": {"session_id": session_id}}
        )
        return result.modified_count == 1

    async def release_session(self, booking_id: str, session_id: str) -> None:
        """A claim whose session could not be written: the button works again."""
        await self.bookings.update_one({"_id": booking_id, "session_id": session_id}, {"$set": {"session_id": None}})

    async def erase_bookings(self, email: str, idea_ids: Sequence[str]) -> None:
        """The person's name, contact and topic leave their bookings; that a time was booked (and held) stays."""
        who: list[Document] = [{"email": email}]
        if idea_ids:
            who.append({"idea_id": {"$in": list(idea_ids)}})
        await self.bookings.update_many({"$or": who}, {"$set": {
            "name": None, "email": None, "phone": None, "topic": None, "erased": True}})


class AdvisoryStore:
    def __init__(self, store: Store, regions: Regions | None = None) -> None:
        self.store = store
        self.scope = RegionScope(regions)  # the signed-in staff member's regions (scope.py), applied to every read
        self.staff = store[STAFF]
        self.cases = store[CASES]
        self.followups = store[FOLLOWUPS]
        self.calls = store[CALLS]
        self.events = store[EVENTS]
        self.throttle = store[THROTTLE]
        self.firings = store[FIRINGS]
        self.registrations = store[REGISTRATIONS]
        self.erasures = Tombstones(store[Tombstones.COLLECTION])  # erasures an event may still arrive after
        self.partners = PartnerRecords(store)
        self.advice = AdviceSlotRecords(store, self.scope)

    # -- staff -------------------------------------------------------------------------------------------
    async def any_active_admin(self) -> bool:
        return await self.staff.find_one({"roles": "admin", "active": True}, {"_id": 1}) is not None

    async def create_staff(self, doc: Document, *events: Envelope | None) -> bool:
        """False when the email is taken."""
        return await self.staff.insert_new({**doc, **outbox_fields(*(e for e in events if e))})

    async def update_staff(self, staff_id: str, changes: Document, *events: Envelope | None) -> Document | None:
        fields = {**changes, **outbox_set(*(e for e in events if e))}
        return revive(await self.staff.find_one_and_update({"_id": staff_id}, {"$set": fields}))

    async def use_password_link(
        self, staff_id: str, link_hash: str, changes: Document, *events: Envelope | None
    ) -> Document | None:
        """Sets what a one-time password link allows, once: only while that link is still the account's
        (a compare-and-set on its hash, which the same write clears), so a second use finds nothing."""
        fields = {**changes, "password_link": None, **outbox_set(*(e for e in events if e))}
        query = {"_id": staff_id, "password_link.hash": link_hash}
        return revive(await self.staff.find_one_and_update(query, {"$set": fields}))

    async def staff_by_email(self, email: str) -> Document | None:
        return revive(await self.staff.find_one({"email": email.strip().lower()}, {"outbox": 0}))

    async def staff_by_id(self, staff_id: str) -> Document | None:
        return revive(await self.staff.find_one({"_id": staff_id}, {"outbox": 0}))

    async def active_staff(self, staff_id: str) -> Document | None:
        staff = await self.staff_by_id(staff_id)
        return staff if staff is not None and staff.get("active") else None

    async def list_staff(self, *, active_only: bool = False) -> list[Document]:
        query: Document = {"active": True} if active_only else {}
        return [
            revive(d) async for d in self.staff.find(query, {"outbox": 0, "password_hash": 0}).sort("name", ASCENDING)
        ]

    async def staff_with_role(self, role: str) -> list[Document]:
        return [revive(d) async for d in self.staff.find(
            {"roles": role, "active": True}, {"_id": 1, "name": 1, "roles": 1, "region_roles": 1}
        )]

    # -- login throttling (per account and per client, shared by all replicas through the store) ----------
    async def take_attempt(self, key: str, limit: int, expires_at: datetime) -> str | None:
        """One of the `limit` sign-in attempts allowed under `key` (scope, who, window): the id of the slot it
        took, or None when every slot is taken. Each slot is a document with a unique `_id` `<key>:<n>`, so
        taking one is one unique-key insert, atomic on every store and across replicas: however many attempts
        arrive at once, at most `limit` of them get a slot."""
        expires_ms = epoch_ms(expires_at)
        for _ in range(2):  # a second look in case a sign-in freed slots meanwhile
            taken = {int(d["n"]) async for d in self.throttle.find({"key": key}, {"n": 1})}
            for n in (n for n in range(1, limit + 1) if n not in taken):
                slot = f"{key}:{n}"
                if await self.throttle.insert_new({"_id": slot, "key": key, "n": n, "expires_ms": expires_ms}):
                    return slot
        return None

    async def use_once(self, key: str, expires_at: datetime) -> bool:
        """True the first time `key` is used (one unique-key insert, across replicas), False ever after until it
        expires: a sign-in's `state` taken back from the provider works once."""
        return await self.throttle.insert_new({"_id": key, "key": key, "n": 0, "expires_ms": epoch_ms(expires_at)})

    async def release_attempts(self, slots: Sequence[str]) -> None:
        await self.throttle.delete_many({"_id": {"$in": list(slots)}})

    async def clear_attempts(self, key: str) -> None:
        await self.throttle.delete_many({"key": key})

    async def forget_old_failures(self, now: datetime) -> None:
        await self.throttle.delete_many({"expires_ms": {"$lt": epoch_ms(now)}})

    # -- cases -------------------------------------------------------------------------------------------
    async def open_case(self, case: Case, event: Envelope) -> bool:
        """Inserts the case and its case-opened event in one write; False when the idea already has a case."""
        return await self.cases.insert_new({**_with_ms(case.to_document()), **outbox_fields(event)})

    async def case(self, case_id: str) -> Document | None:
        return self.scope.visible(revive(await self.cases.find_one({"_id": case_id}, {"outbox": 0})))

    async def update_case(
        self, case_id: str, version: int, changes: Document, *events: Envelope, unset: Sequence[str] = ()
    ) -> Document:
        """Applies a decided change if the case is still at `version` (optimistic concurrency)."""
        update: Document = {"$set": {**_with_ms(changes), **outbox_set(*events)}, "$inc": {"version": 1}}
        if unset:
            update["$unset"] = {f: "" for f in unset}
        doc = await self.cases.find_one_and_update({"_id": case_id, "version": version}, update)
        if doc is None:
            raise Conflict(case_id)
        return revive(doc)  # type: ignore[no-any-return]

    async def list_cases(self, flt: CaseFilter, *, limit: int = 500, skip: int = 0) -> list[Document]:
        query = {**flt.query(), **self.scope.query()}
        cursor = self.cases.find(query, CASE_LIST_PROJECTION).sort("stage_changed_ms", DESCENDING)
        return [revive(d) async for d in cursor.skip(skip).limit(limit)]

    async def cases_with_timeline(self, flt: CaseFilter) -> list[Document]:
        """The cases the filter's lasting conditions match (municipality, theme, text; not the stage, advisor or
        call, which the timeline decides for a past moment), with their timelines, for the as-of board."""
        query = {**flt.query(), **self.scope.query()}
        for field in ("stage", "advisor_id", "call_id"):
            query.pop(field, None)
        cursor = self.cases.find(query, {"outbox": 0, "contact": 0, "search": 0}).sort("_id", ASCENDING)
        return [revive(d) async for d in cursor]

    async def count_by_stage(self, flt: CaseFilter) -> dict[str, int]:
        query = {**flt.query(), **self.scope.query()}
        query.pop("stage", None)
        groups = await self.cases.aggregate([{"$match": query}, {"$group": {"_id": "$stage", "n": {"$sum": 1}}}])
        return {d["_id"]: int(d["n"]) for d in groups}

    async def open_cases_by_advisor(self) -> dict[str | None, dict[str, int]]:
        """Workload: open cases per advisor and stage (None = unassigned)."""
        result: dict[str | None, dict[str, int]] = {}
        query = {"stage": {"$in": list(OPEN_STAGES)}, **self.scope.query()}
        cursor = self.cases.find(query, {"advisor_id": 1, "stage": 1})
        async for doc in cursor:
            per_stage = result.setdefault(doc.get("advisor_id"), {})
            per_stage[doc["stage"]] = per_stage.get(doc["stage"], 0) + 1
        return result

    async def facet_values(self) -> dict[str, list[str]]:
        """Municipalities and themes that occur in cases (for the board's filters)."""
        municipalities: set[str] = set()
        themes: set[str] = set()
        async for doc in self.cases.find(self.scope.query(), {"organisation.municipality": 1, "themes": 1}):
            municipalities.add((doc.get("organisation") or {}).get("municipality", ""))
            themes.update(doc.get("themes") or ())
        return {"municipalities": sorted(m for m in municipalities if m), "themes": sorted(themes)}

    async def cases_of_idea_or_contact(self, idea_ids: Sequence[str], email: str) -> list[Document]:
        query: Document = {"$or": [{"idea_id": {"$in": list(idea_ids)}}, {"contact.email": email.lower()}]}
        return [revive(d) async for d in self.cases.find(query, {"outbox": 0})]

    async def case_by_idea(self, idea_id: str) -> Document | None:
        return self.scope.visible(revive(await self.cases.find_one({"idea_id": idea_id}, {"outbox": 0})))

    async def preparing_cases_for_call(self, call_id: str) -> list[Document]:
        cursor = self.cases.find({"call_id": call_id, "stage": "preparing"}, {"_id": 1, "idea_id": 1, "reference": 1})
        return [revive(d) async for d in cursor.sort("_id", ASCENDING)]

    async def cases_with_sla_due(self, today: date, limit: int = 200) -> list[Document]:
        query = {"sla.fired": False, "sla.fires_on": {"$lte": iso(today)}, "first_contact_at": None}
        projection = {"_id": 1, "reference": 1, "sla": 1, "advisor_id": 1, "region": 1}
        return [d async for d in self.cases.find(query, projection).limit(limit)]

    async def fire(self, key: str, doc: Document, event: Envelope) -> bool:
        """Records that a reminder or notice fired, with its event, in one insert. The key is unique, so of any
        number of replicas (or ticks) trying the same key exactly one succeeds, on every supported store."""
        return await self.firings.insert_new({"_id": key, **doc, **outbox_fields(event)})

    async def mark_sla_fired(self, case_id: str, now: datetime, entry: Document) -> None:
        """After the firing: the case stops showing up as due, and its timeline says what happened."""
        await self.cases.update_one(
            {"_id": case_id},
            {"$set": {"sla.fired": True, "sla.fired_at": now, f"timeline.{entry['id']}": entry}},
        )

    # -- follow-ups --------------------------------------------------------------------------------------
    async def add_followup(self, doc: Document) -> None:
        await self.followups.insert_one(doc)

    async def followup(self, followup_id: str) -> Document | None:
        return self.scope.visible(revive(await self.followups.find_one({"_id": followup_id}, {"outbox": 0})))

    async def list_followups(
        self, *, assignee_id: str | None = None, case_id: str | None = None, include_done: bool = False
    ) -> list[Document]:
        query: Document = self.scope.query()
        if assignee_id:
            query["assignee_id"] = assignee_id
        if case_id:
            query["case_id"] = case_id
        if not include_done:
            query["done"] = False
        return [
            revive(d) async for d in self.followups.find(query, {"outbox": 0}).sort("due_on", ASCENDING).limit(500)
        ]

    async def followups_due(self, today: date, limit: int = 200) -> list[Document]:
        query = {"fired": False, "done": False, "due_on": {"$lte": iso(today)}}
        return [revive(d) async for d in self.followups.find(query, {"outbox": 0}).limit(limit)]

    async def mark_followup_fired(self, followup_id: str, now: datetime) -> None:
        await self.followups.update_one({"_id": followup_id}, {"$set": {"fired": True, "fired_at": now}})

    async def complete_followup(self, followup_id: str, now: datetime, by: str) -> Document | None:
        changes = {"done": True, "done_at": now, "done_by": by}
        return revive(await self.followups.find_one_and_update({"_id": followup_id}, {"$set": changes}))

    # -- funding calls -----------------------------------------------------------------------------------
    async def add_call(self, doc: Document) -> None:
        await self.calls.insert_one({**doc, "notices": {k.replace("-", "_"): False for k in notice_keys()}})

    async def call(self, call_id: str) -> Document | None:
        return self.scope.visible(revive(await self.calls.find_one({"_id": call_id}, {"outbox": 0})))

    async def list_calls(self) -> list[Document]:
        found = self.calls.find(self.scope.query(), {"outbox": 0}).sort("closes_on", DESCENDING).limit(500)
        return [revive(d) async for d in found]

    async def calls_with_notices(self, today: date) -> list[Document]:
        cursor = self.calls.find(
            {"notices_until": {"$gte": iso(today)}, "opens_on": {"$lte": iso(today)}}, {"outbox": 0}
        )
        return [revive(d) async for d in cursor]

    async def mark_call_notice_fired(self, call_id: str, key: str, now: datetime) -> None:
        flag = key.replace("-", "_")
        await self.calls.update_one(
            {"_id": call_id}, {"$set": {f"notices.{flag}": True, f"notices_fired_at.{flag}": now}}
        )

    # -- trainings and forums ----------------------------------------------------------------------------
    async def add_event(self, doc: Document, event: Envelope) -> None:
        await self.events.insert_one({**doc, **outbox_fields(event)})

    async def scheduled_event(self, event_id: str) -> Document | None:
        return self.scope.visible(revive(await self.events.find_one({"_id": event_id}, {"outbox": 0})))

    async def record_registration(self, doc: Document) -> bool:
        """Keep a registration once (a redelivery finds it there); True when it was new."""
        return await self.registrations.insert_new(doc)

    async def registrations_of(self, event_id: str) -> list[Document]:
        """Confirmed first in the order they came, then the waiting list in its order (the order they signed up
        in: the place each was told at sign-up moves up as others leave), then the cancelled."""
        docs = [revive(d) async for d in self.registrations.find({"scheduled_event_id": event_id})]
        rank = {"confirmed": 0, "waitlisted": 1}
        return sorted(docs, key=lambda d: (rank.get(d.get("status", ""), 2), str(d.get("received_at")), d["_id"]))

    async def registration(self, registration_id: str) -> Document | None:
        return revive(await self.registrations.find_one({"_id": registration_id}))

    async def mark_registration(self, registration_id: str, status: str, at: datetime) -> bool:
        """Intake's word on a registration (cancelled, or promoted to a seat); a cancellation is final, so a
        promotion arriving after it changes nothing. False when the registration has not reached us yet."""
        if await self.registrations.find_one({"_id": registration_id}, {"_id": 1}) is None:
            return False
        await self.registrations.update_one(
            {"_id": registration_id, "status": {"$ne": "cancelled"}},
            {"$set": {"status": status, f"{status}_at": at, "position_on_waitlist": None}},
        )
        return True

    async def request_cancellation(self, event_id: str, registration_id: str, event: Envelope) -> bool:
        """Staff's cancellation leaves in the event document's outbox (intake holds the seats and decides); the
        registration is then marked as asked (only what the page shows until intake answers)."""
        result = await self.events.update_one({"_id": event_id}, {"$set": outbox_set(event)})
        if result.matched_count != 1:
            return False
        await self.registrations.update_one({"_id": registration_id}, {"$set": {"cancel_requested": True}})
        return True

    async def change_capacity(self, event_id: str, capacity: int, event: Envelope) -> Document | None:
        update = {"$set": {"capacity": capacity, **outbox_set(event)}}
        return revive(await self.events.find_one_and_update({"_id": event_id}, update))

    async def erase_registrations(self, email: str) -> int:
        """The person's name and contact details leave their registrations; that someone registered stays."""
        result = await self.registrations.update_many({"email": email}, ERASED_REGISTRANT)
        return int(result.modified_count)

    async def erase_registration(self, registration_id: str) -> None:
        """The same for one registration (one that arrived after its person's erasure)."""
        await self.registrations.update_one({"_id": registration_id}, ERASED_REGISTRANT)

    async def list_events(self) -> list[Document]:
        found = self.events.find(self.scope.query(), {"outbox": 0}).sort("starts_at", DESCENDING).limit(500)
        return [revive(d) async for d in found]

    async def check_in(self, event_id: str, present: dict[str, bool]) -> None:
        """Who came, per registration (the last save wins: the list is the staff's at the door)."""
        for registration_id, came in present.items():
            await self.registrations.update_one(
                {"_id": registration_id, "scheduled_event_id": event_id}, {"$set": {"checked_in": came}}
            )

    async def record_attendance(self, event_id: str, attendance: Document, event: Envelope) -> Document | None:
        update = {"$set": {"attendance": attendance, **outbox_set(event)}}
        return revive(await self.events.find_one_and_update({"_id": event_id}, update))
