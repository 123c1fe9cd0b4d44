"""The only module that talks to notify's MongoDB database. Methods say what they do in domain words.

Collections: `recipients` (contact persons, subscribers, registrants, staff: one directory), `delivery_queue`
(pending, sending, unconfirmed), `deliveries` (the insert-only log of outcomes; carries the outbox of
notification-sent / -failed), `suppressions`, `fanouts`,
`scheduled_events`, `case_copies`, `followups`, `digests`. Keeps to the store subset of ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from koonto.notify.domain.keys import address_hash, normalise_address
from koonto.shared.contracts import Envelope

Document = dict[str, Any]

DELIVERIES = "deliveries"
QUEUE = "delivery_queue"

INDEXES = {
    "recipients": [
        IndexModel([("role", ASCENDING)], name="role"),  # (no compound with _id: nx-27017 cannot index it)
        IndexModel([("email", ASCENDING)], name="email"),
        IndexModel([("phone", ASCENDING)], name="phone"),
    ],
    QUEUE: [
        IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due"),
        IndexModel([("status", ASCENDING), ("locked_until", ASCENDING)], name="leases"),
        IndexModel([("fanout_id", ASCENDING), ("status", ASCENDING)], name="fanout_status"),
        IndexModel([("address_hash", ASCENDING)], name="address_hash"),
    ],
    DELIVERIES: [
        IndexModel([("fanout_id", ASCENDING), ("status", ASCENDING)], name="fanout_status"),
        IndexModel([("created_at", DESCENDING)], name="created"),
        IndexModel([("address_hash", ASCENDING)], name="address_hash"),
        IndexModel([("kind", ASCENDING), ("created_at", DESCENDING)], name="kind_created"),
        IndexModel([("event_pending", ASCENDING)], name="event_pending"),
    ],
    "fanouts": [IndexModel([("status", ASCENDING)], name="status")],
    "case_copies": [IndexModel([("opened_at", ASCENDING)], name="opened_at")],
    "followups": [IndexModel([("received_at", ASCENDING)], name="received_at")],
}


def outbox_event(envelope: Envelope) -> Document:
    """The delivery's outcome event, written in the same single-document write as the outcome itself.

    A delivery has one outcome event at a time, in a fixed field, so the relay can mark a whole batch
    published with one `update_many` (the shared per-entry outbox costs two writes per event, which a
    fan-out of thousands on FerretDB/SQLite would feel)."""
    return {
        "event": {"id": envelope.id, "subject": envelope.type, "body": envelope.model_dump_json()},
        "event_pending": True,
    }


def jsonable(value: Any) -> Any:
    """Contexts are stored as JSON-like values (dates as ISO strings: BSON has no plain date)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class NotifyStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.recipients = db["recipients"]
        self.deliveries = db[DELIVERIES]
        self.queue = db[QUEUE]
        self.suppressions = db["suppressions"]
        self.fanouts = db["fanouts"]
        self.scheduled_events = db["scheduled_events"]
        self.case_copies = db["case_copies"]
        self.followups = db["followups"]
        self.digests = db["digests"]

    # -- recipient directory -------------------------------------------------------------------------------
    async def remember_contact(self, idea_id: str, fields: Document) -> None:
        await self.recipients.update_one(
            {"_id": f"contact:{idea_id}"}, {"$set": {"role": "contact", "idea_id": idea_id, **fields}}, upsert=True
        )

    async def contact(self, idea_id: str) -> Document | None:
        return await self.recipients.find_one({"_id": f"contact:{idea_id}"})

    async def contacts(self, idea_ids: Sequence[str]) -> list[Document]:
        return [d async for d in self.recipients.find({"_id": {"$in": [f"contact:{i}" for i in idea_ids]}})]

    @staticmethod
    def subscriber_id(email: str) -> str:
        return f"subscriber:{normalise_address('email', email)}"

    @staticmethod
    def subscriber_document(
        email: str,
        *,
        language: str,
        municipality: str | None,
        topic: str,
        consent: bool,
        at: datetime,
        source: str,
        unsubscribe_url: str | None = None,
    ) -> Document:
        """A new subscriber with one topic; also used to seed large directories in bulk."""
        return {
            "_id": NotifyStore.subscriber_id(email),
            "role": "subscriber",
            "email": normalise_address("email", email),
            "language": language,
            "municipality": municipality,
            "topics": {topic: {"consent": consent, "at": at, "at_ms": int(at.timestamp() * 1000), "source": source,
                               "unsubscribe_url": unsubscribe_url}},
            "consent_log": [{"topic": topic, "consent": consent, "at": at, "source": source}],
        }

    async def record_consent(
        self,
        email: str,
        *,
        topic: str,
        consent: bool,
        at: datetime,
        source: str,
        language: str | None = None,
        municipality: str | None = None,
        unsubscribe_url: str | None = None,
    ) -> bool:
        """Per-topic consent with its time and source; an older statement never overrides a newer one."""
        key = self.subscriber_id(email)
        await self.recipients.update_one(
            {"_id": key},
            {
                "$setOnInsert": {
                    "role": "subscriber",
                    "email": normalise_address("email", email),
                    "language": language or "fi",
                    "municipality": municipality,
                    "topics": {},
                    "consent_log": [],
                }
            },
            upsert=True,
        )
        at_ms = int(at.timestamp() * 1000)
        fields: Document = {
            f"topics.{topic}.consent": consent,
            f"topics.{topic}.at": at,
            f"topics.{topic}.at_ms": at_ms,
            f"topics.{topic}.source": source,
        }
        if unsubscribe_url:
            fields[f"topics.{topic}.unsubscribe_url"] = unsubscribe_url
        if language:
            fields["language"] = language
        if municipality is not None:
            fields["municipality"] = municipality
        update = {
            "$set": fields,
            "$push": {"consent_log": {"topic": topic, "consent": consent, "at": at, "source": source}},
        }
        # two plain conditional writes instead of one `$or` next to `_id` (nx-27017 applies such a filter to
        # other documents); times compared as epoch ms (nx-27017 keeps a datetime written by $set as text)
        for condition in ({"$exists": False}, {"$lt": at_ms}):
            result = await self.recipients.update_one({"_id": key, f"topics.{topic}.at_ms": condition}, update)
            if result.modified_count == 1:
                return True
        return False

    async def subscriber(self, email: str) -> Document | None:
        return await self.recipients.find_one({"_id": self.subscriber_id(email)})

    async def subscribers_after(self, cursor: str | None, limit: int) -> list[Document]:
        """Subscribers in _id order after `cursor`: the fan-out's resumable walk."""
        query: Document = {"role": "subscriber"}
        query["_id"] = {"$gt": cursor} if cursor else {"$gt": "subscriber:"}
        return [d async for d in self.recipients.find(query).sort("_id", ASCENDING).limit(limit)]

    async def consents_of(self, emails: Iterable[str]) -> dict[str, dict[str, bool]]:
        ids = [self.subscriber_id(e) for e in emails]
        out: dict[str, dict[str, bool]] = {}
        async for doc in self.recipients.find({"_id": {"$in": ids}}, {"email": 1, "topics": 1}):
            out[doc["email"]] = {t: bool(v.get("consent")) for t, v in (doc.get("topics") or {}).items()}
        return out

    async def remember_registrant(self, registration_id: str, fields: Document) -> None:
        await self.recipients.update_one(
            {"_id": f"registrant:{registration_id}"}, {"$set": {"role": "registrant", **fields}}, upsert=True
        )

    async def remember_staff(self, staff_id: str, fields: Document, updated_at: datetime) -> None:
        await self.recipients.update_one(
            {"_id": f"staff:{staff_id}"}, {"$setOnInsert": {"role": "staff", "staff_id": staff_id}}, upsert=True
        )
        updated_ms = int(updated_at.timestamp() * 1000)
        update = {"$set": {**fields, "updated_at": updated_at, "updated_ms": updated_ms}}
        # no `$or` next to `_id` (nx-27017 applies it to other documents); epoch ms compare on every store
        for condition in ({"$exists": False}, {"$lt": updated_ms}):
            result = await self.recipients.update_one({"_id": f"staff:{staff_id}", "updated_ms": condition}, update)
            if result.modified_count:
                return

    async def staff(self, staff_ids: Sequence[str] | None = None) -> list[Document]:
        query: Document = {"role": "staff", "active": True}
        if staff_ids is not None:
            query["_id"] = {"$in": [f"staff:{s}" for s in staff_ids]}
        return [d async for d in self.recipients.find(query).sort("_id", ASCENDING)]

    async def erase_person(self, email: str, phone: str | None, idea_ids: Sequence[str]) -> int:
        """Removes the person from the directory and scrubs their address from the delivery log (the dedupe
        key keeps only a hash). Pending messages to them are cancelled."""
        email = normalise_address("email", email)
        ors: list[Document] = [{"email": email}, {"_id": {"$in": [f"contact:{i}" for i in idea_ids]}}]
        if phone:
            ors.append({"phone": normalise_address("sms", phone)})
        removed = (await self.recipients.delete_many({"$or": ors})).deleted_count
        hashes = [address_hash("email", email)] + ([address_hash("sms", phone)] if phone else [])
        scrub = {"address": "(poistettu)", "recipient_name": "", "context": {}, "erased": True}
        others = {"address_hash": {"$in": hashes}, "kind": {"$ne": "erasure-confirmation"}}
        await self.queue.update_many(
            {**others, "status": {"$in": ["pending", "unconfirmed"]}},
            {"$set": {"status": "cancelled", "skip_reason": "erased", **scrub}},
        )
        await self.deliveries.update_many(others, {"$set": scrub})
        return removed

    # -- scheduled events, case copies, follow-ups (for invitations, registrations and the digest) -------------
    async def remember_scheduled_event(self, event_id: str, fields: Document) -> None:
        await self.scheduled_events.update_one({"_id": event_id}, {"$set": jsonable(fields)}, upsert=True)

    async def scheduled_event(self, event_id: str) -> Document | None:
        return await self.scheduled_events.find_one({"_id": event_id})

    async def keep_case(self, case_id: str, fields: Document) -> None:
        await self.case_copies.update_one({"_id": case_id}, {"$set": fields}, upsert=True)

    async def cases_opened(self, since: datetime, until: datetime) -> list[Document]:
        return [
            d async for d in self.case_copies.find({"opened_at": {"$gte": since, "$lt": until}}).sort("opened_at", 1)
        ]

    async def keep_followup(self, followup_id: str, fields: Document) -> None:
        await self.followups.update_one({"_id": followup_id}, {"$set": fields}, upsert=True)

    async def followups_received(self, since: datetime, until: datetime) -> list[Document]:
        return [
            d async for d in self.followups.find({"received_at": {"$gte": since, "$lt": until}}).sort("received_at", 1)
        ]

    async def claim_digest_day(self, day: str, owner: str, at: datetime) -> bool:
        """The conditional write that makes a day's digest happen once across replicas."""
        try:
            await self.digests.insert_one({"_id": day, "owner": owner, "started_at": at})
        except DuplicateKeyError:
            return False
        return True

    async def digest_started(self, day: str) -> bool:
        return await self.digests.find_one({"_id": day}, {"_id": 1}) is not None

    # -- suppression list ------------------------------------------------------------------------------------
    async def suppress(self, channel: str, address: str, reason: str, at: datetime) -> None:
        await self.suppressions.update_one(
            {"_id": f"{channel}:{address_hash(channel, address)}"},
            {"$setOnInsert": {"channel": channel, "reason": reason[:500], "at": at}},
            upsert=True,
        )

    async def is_suppressed(self, channel: str, address: str) -> bool:
        return await self.suppressions.find_one({"_id": f"{channel}:{address_hash(channel, address)}"}) is not None

    # -- delivery queue and log ------------------------------------------------------------------------------
    # A delivery lives in `delivery_queue` while it is pending, sending or unconfirmed, and is written once,
    # with its outcome, into the insert-only `deliveries` log. The queue stays small, so the writes of every
    # send are cheap on any store (FerretDB/SQLite updates cost in proportion to the collection's size).
    async def add_deliveries(self, docs: Sequence[Document]) -> int:
        """Queues new deliveries; one that exists already (same event, address, channel), queued or in the log,
        is left as it is."""
        if not docs:
            return 0
        done = {d["_id"] async for d in self.deliveries.find({"_id": {"$in": [x["_id"] for x in docs]}}, {"_id": 1})}
        fresh = [d for d in docs if d["_id"] not in done]
        if not fresh:
            return 0
        try:
            result = await self.queue.insert_many(fresh, ordered=False)
            return len(result.inserted_ids)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            return int(exc.details.get("nInserted", 0))

    async def due(self, now: datetime, limit: int) -> list[Document]:
        cursor = self.queue.find({"status": "pending", "due_at": {"$lte": now}})
        return [d async for d in cursor.sort("due_at", ASCENDING).limit(limit)]

    async def claim(self, key: str, *, now: datetime, lease: timedelta, owner: str) -> Document | None:
        """pending -> sending, written before the provider is called; one replica wins."""
        return await self.queue.find_one_and_update(
            {"_id": key, "status": "pending", "due_at": {"$lte": now}},
            {
                "$set": {"status": "sending", "locked_until": now + lease, "locked_by": owner, "sending_at": now},
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )

    async def in_log(self, key: str) -> bool:
        return await self.deliveries.find_one({"_id": key}, {"_id": 1}) is not None

    async def _finish(self, doc: Document, owner: str | None, outcome: Document) -> bool:
        """The outcome is one insert into the log (carrying its event); then the queue entry goes."""
        record = {k: v for k, v in doc.items() if k not in ("locked_until", "locked_by")}
        record.update(outcome)
        recorded = True
        try:
            await self.deliveries.insert_one(record)
        except DuplicateKeyError:
            recorded = False  # recorded before (a crash between the two writes): the log wins
        query: Document = {"_id": doc["_id"]}
        if owner:
            query["locked_by"] = owner
        await self.queue.delete_one(query)
        return recorded

    async def mark_sent(self, doc: Document, owner: str, *, now: datetime, fields: Document, event: Envelope) -> bool:
        return await self._finish(doc, owner, {"status": "sent", "sent_at": now, **fields, **outbox_event(event)})

    async def mark_failed(
        self, doc: Document, owner: str, *, now: datetime, error: str, permanent: bool, event: Envelope
    ) -> bool:
        return await self._finish(
            doc,
            owner,
            {
                "status": "failed",
                "failed_at": now,
                "permanent": permanent,
                "last_error": error[:1000],
                **outbox_event(event),
            },
        )

    async def mark_skipped(self, doc: Document, owner: str | None, *, reason: str) -> bool:
        return await self._finish(doc, owner, {"status": "skipped", "skip_reason": reason})

    async def mark_retry(self, key: str, owner: str, *, due_at: datetime, error: str) -> None:
        await self.queue.update_one(
            {"_id": key, "status": "sending", "locked_by": owner},
            {
                "$set": {"status": "pending", "due_at": due_at, "last_error": error[:1000]},
                "$unset": {"locked_until": "", "locked_by": ""},
            },
        )

    async def postpone(self, key: str, owner: str, *, due_at: datetime, reason: str) -> None:
        """Back to the queue without counting an attempt (quiet hours reached while it waited)."""
        await self.queue.update_one(
            {"_id": key, "status": "sending", "locked_by": owner},
            {
                "$set": {"status": "pending", "due_at": due_at, "not_before": due_at, "postponed": reason},
                "$inc": {"attempts": -1},
                "$unset": {"locked_until": "", "locked_by": ""},
            },
        )

    async def drop_from_queue(self, key: str) -> None:
        await self.queue.delete_one({"_id": key})

    async def erase_address_after_send(self, key: str) -> None:
        await self.deliveries.update_one(
            {"_id": key}, {"$set": {"address": "(poistettu)", "recipient_name": "", "context": {}, "erased": True}}
        )

    async def stale_sending(self, now: datetime, limit: int = 100) -> list[Document]:
        cursor = self.queue.find({"status": "sending", "locked_until": {"$lt": now}}).limit(limit)
        return [d async for d in cursor]

    async def mark_committing(self, key: str, owner: str) -> None:
        """Recorded right before the message data goes to the server (SMTP DATA)."""
        await self.queue.update_one({"_id": key, "locked_by": owner}, {"$set": {"committing": True}})

    async def settle_stale(self, key: str, *, now: datetime, policy: str, seen_lock: datetime) -> bool:
        """A delivery left in "sending" by a replica that died. If it never reached the point of no return
        (no `committing` mark: it died before SMTP DATA), nothing was sent and it simply goes back to the queue;
        otherwise its outcome at the provider is unknown and `policy` decides."""
        doc = await self.queue.find_one({"_id": key}, {"committing": 1, "channel": 1})
        provably_unsent = doc is not None and doc.get("channel") == "email" and not doc.get("committing")
        update: Document
        if policy == "resend" or provably_unsent:
            update = {
                "$set": {"status": "pending", "due_at": now, "resent_after_crash": True},
                "$unset": {"locked_until": "", "locked_by": "", "committing": ""},
            }
        else:
            update = {
                "$set": {"status": "unconfirmed", "unconfirmed_at": now},
                "$unset": {"locked_until": "", "locked_by": ""},
            }
        result = await self.queue.update_one({"_id": key, "status": "sending", "locked_until": seen_lock}, update)
        return result.modified_count == 1

    async def requeue(self, key: str, *, now: datetime, by: str) -> bool:
        """Staff send again a delivery whose outcome is unknown (the Message-ID stays the same)."""
        result = await self.queue.update_one(
            {"_id": key, "status": "unconfirmed", "erased": {"$ne": True}},
            {"$set": {"status": "pending", "due_at": now, "requeued_by": by, "requeued_at": now}},
        )
        return result.modified_count == 1

    async def delivery(self, key: str) -> Document | None:
        return await self.deliveries.find_one({"_id": key}, {"event": 0}) or await self.queue.find_one({"_id": key})

    async def list_deliveries(
        self,
        *,
        recipient: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        fanout_id: str | None = None,
        limit: int = 100,
        skip: int = 0,
    ) -> list[Document]:
        query: Document = {}
        if recipient:
            channel = "sms" if recipient.strip().startswith("+") else "email"
            query["address_hash"] = address_hash(channel, recipient)
        if kind:
            query["kind"] = kind
        if status:
            query["status"] = status
        if fanout_id:
            query["fanout_id"] = fanout_id
        period: Document = {}
        if since:
            period["$gte"] = since
        if until:
            period["$lt"] = until
        if period:
            query["created_at"] = period
        found: list[Document] = []
        for collection in (self.queue, self.deliveries):
            cursor = collection.find(query, {"event": 0}).sort("created_at", DESCENDING).limit(skip + limit)
            found += [d async for d in cursor]
        found.sort(key=lambda d: d["created_at"], reverse=True)
        return found[skip : skip + limit]

    async def queued_count(self, query: Document) -> int:
        return await self.queue.count_documents(query)

    # -- the outbox of notification-sent / -failed ---------------------------------------------------------------
    async def pending_events(self, limit: int) -> list[Document]:
        return [d async for d in self.deliveries.find({"event_pending": True}, {"event": 1}).limit(limit)]

    async def events_published(self, delivery_ids: Sequence[str]) -> None:
        await self.deliveries.update_many({"_id": {"$in": list(delivery_ids)}}, {"$unset": {"event_pending": ""}})

    async def count_pending_events(self) -> int:
        return await self.deliveries.count_documents({"event_pending": True})

    # -- fan-out ---------------------------------------------------------------------------------------------
    async def create_fanout(self, doc: Document) -> bool:
        try:
            await self.fanouts.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def claim_fanout(self, *, now: datetime, lease: timedelta, owner: str) -> Document | None:
        return await self.fanouts.find_one_and_update(
            {
                "status": "expanding",
                "$or": [{"locked_until": {"$exists": False}}, {"locked_until": {"$lt": now}}, {"locked_by": owner}],
            },
            {"$set": {"locked_until": now + lease, "locked_by": owner}},
            return_document=ReturnDocument.AFTER,
        )

    async def advance_fanout(self, fanout_id: str, owner: str, *, cursor: str, scanned: int, queued: int) -> None:
        await self.fanouts.update_one(
            {"_id": fanout_id, "locked_by": owner},
            {"$set": {"cursor": cursor}, "$inc": {"scanned": scanned, "queued": queued}},
        )

    async def finish_fanout(self, fanout_id: str, owner: str, now: datetime) -> None:
        await self.fanouts.update_one(
            {"_id": fanout_id, "locked_by": owner},
            {"$set": {"status": "expanded", "expanded_at": now}, "$unset": {"locked_until": "", "locked_by": ""}},
        )

    async def release_fanout(self, fanout_id: str, owner: str) -> None:
        await self.fanouts.update_one(
            {"_id": fanout_id, "locked_by": owner}, {"$unset": {"locked_until": "", "locked_by": ""}}
        )

    async def fanout(self, fanout_id: str) -> Document | None:
        return await self.fanouts.find_one({"_id": fanout_id})

    async def list_fanouts(self, limit: int = 50) -> list[Document]:
        return [d async for d in self.fanouts.find({}, {"context": 0}).sort("created_at", DESCENDING).limit(limit)]

    async def fanout_progress(self, fanout_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        pipeline: list[Document] = [
            {"$match": {"fanout_id": fanout_id}},
            {"$group": {"_id": "$status", "n": {"$sum": 1}}},
        ]
        for collection in (self.queue, self.deliveries):
            async for row in await collection.aggregate(pipeline):
                counts[str(row["_id"])] = counts.get(str(row["_id"]), 0) + int(row["n"])
        return counts
