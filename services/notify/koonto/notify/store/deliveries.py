"""The delivery queue and the delivery log.

A delivery lives in `delivery_queue` while it is pending, sending or unconfirmed, and is written once, with its
outcome, into the insert-only `deliveries` log. Which replica sends it is decided in `delivery_claims` by a
unique-key insert (see `Deliveries.claim`). The queue stays small, so the writes of every send are cheap on
any store (on some supported stores an update costs in proportion to the collection's size). The log document
carries the outcome's notification-sent / -failed event (`koonto.shared.outbox.event_field`), published by the
shared relay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from koonto.notify.domain.keys import address_hash
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Document, Store
from koonto.shared.outbox import event_field

LOG = "deliveries"
QUEUE = "delivery_queue"
CLAIMS = "delivery_claims"
CLAIMS_KEPT = timedelta(days=1)  # far longer than any stale read a claimer could act on
ERASED = {"address": "(poistettu)", "recipient_name": "", "context": {}, "erased": True}
UNLOCK = {"locked_until": "", "locked_by": ""}
UNSEND = {**UNLOCK, "committing": ""}  # back in the queue, known not sent: the next attempt starts clean


class Deliveries:
    def __init__(self, store: Store) -> None:
        self.queue = store[QUEUE]
        self.log = store[LOG]
        self.claims = store[CLAIMS]

    # -- queueing --------------------------------------------------------------------------------------------
    async def add(self, docs: Sequence[Document]) -> int:
        """Queues new deliveries; one that exists already (same event, address, channel), queued or in the log,
        is left as it is."""
        if not docs:
            return 0
        done = {d["_id"] async for d in self.log.find({"_id": {"$in": [x["_id"] for x in docs]}}, {"_id": 1})}
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
        """The next deliveries to send: a person's own messages (no `fanout_id`: a receipt, a confirmation) before
        any fan-out's or newsletter's, so they never wait behind a bulk send queued ahead of them (a missing field
        sorts first); then the oldest first."""
        cursor = self.queue.find({"status": "pending", "due_at": {"$lte": now}})
        return [d async for d in cursor.sort([("fanout_id", ASCENDING), ("due_at", ASCENDING)]).limit(limit)]

    async def hold(self, key: str) -> None:
        """A pending delivery of a paused campaign leaves the due list (status `held`) until it is resumed."""
        await self.queue.update_one({"_id": key, "status": "pending"}, {"$set": {"status": "held"}})

    async def hold_fanout(self, fanout_id: str) -> int:
        result = await self.queue.update_many({"fanout_id": fanout_id, "status": "pending"},
                                              {"$set": {"status": "held"}})
        return result.modified_count

    async def release_fanout(self, fanout_id: str) -> int:
        """held -> pending for a resumed campaign (again on every pass of the campaign job: a batch that read the
        campaign as paused just before the resume may hold a delivery after it)."""
        result = await self.queue.update_many({"fanout_id": fanout_id, "status": "held"},
                                              {"$set": {"status": "pending"}})
        return result.modified_count

    async def queued_count(self, query: Document) -> int:
        return await self.queue.count_documents(query)

    # -- claim -> send -> record ------------------------------------------------------------------------------
    async def claim(self, seen: Document, *, now: datetime, lease: timedelta, owner: str) -> Document | None:
        """pending -> sending for exactly one replica, written before the provider is called; None when another
        replica (or an earlier pass) has it or it was sent already.

        Decided by a unique-key insert, which every supported store enforces (a guarded `find_one_and_update`
        alone is not applied atomically by every supported store, so two replicas both won it): claim number n of a
        delivery, `<delivery>:<n>` with n one past the `claim_n` the claimer read, is inserted by one replica
        only. The winner then moves the queue entry from `claim_n` n-1 to n; a retry, a postponement or a
        recovery leaves `claim_n` as it is, so the next attempt is claim n+1. A delivery planned again after it
        was sent (`add` read the log just before the outcome was written) starts at claim 1 again, finds it
        taken and leaves the queue (`_supersede_if_orphaned`): claims are kept a day for that."""
        key = seen["_id"]
        n = int(seen.get("claim_n") or 0) + 1
        if not await self.claims.insert_new({"_id": f"{key}:{n}", "delivery": key, "n": n, "owner": owner, "at": now}):
            await self._supersede_if_orphaned(key, n, now=now, lease=lease)
            return None
        doc = await self.queue.find_one_and_update(
            {"_id": key, "status": "pending", "claim_n": _claimed_up_to(n - 1), "due_at": {"$lte": now}},
            {
                "$set": {
                    "status": "sending", "locked_until": now + lease, "locked_by": owner, "sending_at": now,
                    "claim_n": n,
                },
                "$inc": {"attempts": 1},
            },
        )
        if doc is None:  # read stale: finished, cancelled or moved on since; free the number again
            await self.claims.delete_one({"_id": f"{key}:{n}"})
        return doc

    async def _supersede_if_orphaned(self, key: str, n: int, *, now: datetime, lease: timedelta) -> None:
        """Claim n is taken. An entry already in the log is done and leaves the queue (it was planned again after
        it was sent). Otherwise, if the entry never moved past n-1, its claimer lost the store between the two
        writes (or died there): once the claim is older than a lease the entry's number moves past it, so the
        next pass claims n+1; a claimer that had only been slow has by then lost its claim (its update needs
        n-1)."""
        if await self.in_log(key):
            await self.queue.delete_one({"_id": key, "status": "pending"})
            return
        held = await self.claims.find_one({"_id": f"{key}:{n}"})
        if held is None or held["at"] > now - lease:
            return
        await self.queue.update_one(
            {"_id": key, "status": "pending", "claim_n": _claimed_up_to(n - 1)}, {"$set": {"claim_n": n}}
        )

    async def forget_claims(self, now: datetime) -> int:
        """Claims older than `CLAIMS_KEPT` decide nothing any more (every entry has moved past them)."""
        result = await self.claims.delete_many({"at": {"$lt": now - CLAIMS_KEPT}})
        return result.deleted_count

    async def mark_committing(self, key: str, owner: str) -> None:
        """Recorded right before the message data goes to the server (SMTP DATA)."""
        await self.queue.update_one({"_id": key, "locked_by": owner}, {"$set": {"committing": True}})

    async def _finish(self, doc: Document, owner: str | None, outcome: Document, leaving: list[str] | None) -> bool:
        """The outcome is one insert into the log (carrying its event); then the queue entry goes, at once or,
        with `leaving` (a batch's list), together with the batch's others in `leave_queue`. An entry left behind
        by a crash in between is in the log and still "sending": the recovery sweep drops it after its lease, and
        no claimer picks it up meanwhile (only "pending" entries are due)."""
        record = {k: v for k, v in doc.items() if k not in UNLOCK}
        record.update(outcome)
        # not new: recorded before (a crash between the two writes), and the log wins
        recorded = await self.log.insert_new(record)
        if leaving is not None and owner:
            leaving.append(doc["_id"])
            return recorded
        query: Document = {"_id": doc["_id"]}
        if owner:
            query["locked_by"] = owner
        await self.queue.delete_one(query)
        return recorded

    async def leave_queue(self, keys: Sequence[str], owner: str) -> None:
        """The queue entries of a batch whose outcomes are in the log, in one write."""
        if keys:
            await self.queue.delete_many({"_id": {"$in": list(keys)}, "locked_by": owner})

    async def mark_sent(
        self, doc: Document, owner: str, *, now: datetime, fields: Document, event: Envelope,
        leaving: list[str] | None = None,
    ) -> bool:
        outcome = {"status": "sent", "sent_at": now, **fields, **event_field(event)}
        return await self._finish(doc, owner, outcome, leaving)

    async def mark_failed(
        self, doc: Document, owner: str, *, now: datetime, error: str, permanent: bool, event: Envelope,
        leaving: list[str] | None = None,
    ) -> bool:
        outcome = {"status": "failed", "failed_at": now, "permanent": permanent, "last_error": error[:1000]}
        return await self._finish(doc, owner, {**outcome, **event_field(event)}, leaving)

    async def mark_skipped(
        self, doc: Document, owner: str | None, *, reason: str, leaving: list[str] | None = None
    ) -> bool:
        return await self._finish(doc, owner, {"status": "skipped", "skip_reason": reason}, leaving)

    async def mark_retry(self, key: str, owner: str, *, due_at: datetime, error: str) -> None:
        """Back to the queue, known not sent. Checked after writing: a write of ours that timed out earlier (the
        committing mark, on a store starved of CPU) can still land after this one, and a store that applies
        one document's updates as whole-document replacements (some supported stores do) then puts back
        "sending", which recovery would hold as an unknown outcome for ever. Written again until it stays."""
        update = {"$set": {"status": "pending", "due_at": due_at, "last_error": error[:1000]}, "$unset": UNSEND}
        for attempt in range(4):
            await self.queue.update_one({"_id": key, "status": "sending", "locked_by": owner}, update)
            await asyncio.sleep(0.2 * 2**attempt)
            doc = await self.queue.find_one({"_id": key}, {"status": 1, "locked_by": 1})
            if doc is None or doc.get("status") != "sending" or doc.get("locked_by") != owner:
                return

    async def postpone(self, key: str, owner: str, *, due_at: datetime, reason: str) -> None:
        """Back to the queue without counting an attempt (quiet hours reached while it waited)."""
        await self.queue.update_one(
            {"_id": key, "status": "sending", "locked_by": owner},
            {
                "$set": {"status": "pending", "due_at": due_at, "not_before": due_at, "postponed": reason},
                "$inc": {"attempts": -1},
                "$unset": UNSEND,
            },
        )

    async def erase_address_after_send(self, key: str) -> None:
        await self.log.update_one({"_id": key}, {"$set": ERASED})

    # -- recovery --------------------------------------------------------------------------------------------
    async def in_log(self, key: str) -> bool:
        return await self.log.find_one({"_id": key}, {"_id": 1}) is not None

    async def drop_from_queue(self, key: str) -> None:
        await self.queue.delete_one({"_id": key})

    async def stale_sending(self, now: datetime, limit: int = 100) -> list[Document]:
        cursor = self.queue.find({"status": "sending", "locked_until": {"$lt": now}}).limit(limit)
        return [d async for d in cursor]

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
                "$unset": UNSEND,
            }
        else:
            update = {"$set": {"status": "unconfirmed", "unconfirmed_at": now}, "$unset": UNLOCK}
        result = await self.queue.update_one({"_id": key, "status": "sending", "locked_until": seen_lock}, update)
        return result.modified_count == 1

    async def requeue(self, key: str, *, now: datetime, by: str) -> bool:
        """Staff send again a delivery whose outcome is unknown (the Message-ID stays the same)."""
        result = await self.queue.update_one(
            {"_id": key, "status": "unconfirmed", "erased": {"$ne": True}},
            {"$set": {"status": "pending", "due_at": now, "requeued_by": by, "requeued_at": now}},
        )
        return result.modified_count == 1

    async def cancel_pending(self, recipient_ref: str, kind: str, reason: str) -> int:
        """Queued messages of one kind to one recipient that are no longer wanted (a reminder of a booking that was
        cancelled); one already being sent goes out."""
        result = await self.queue.update_many(
            {"recipient_ref": recipient_ref, "kind": kind, "status": "pending"},
            {"$set": {"status": "cancelled", "skip_reason": reason}},
        )
        return int(result.modified_count)

    # -- erasure ---------------------------------------------------------------------------------------------
    async def scrub(self, hashes: Sequence[str]) -> None:
        """Scrubs the addresses (by hash) from queue and log; pending messages to them are cancelled. The one
        erasure confirmation is left to go out."""
        others = {"address_hash": {"$in": list(hashes)}, "kind": {"$ne": "erasure-confirmation"}}
        await self.queue.update_many(
            {**others, "status": {"$in": ["pending", "unconfirmed"]}},
            {"$set": {"status": "cancelled", "skip_reason": "erased", **ERASED}},
        )
        await self.log.update_many(others, {"$set": ERASED})

    # -- reads (for the views) -------------------------------------------------------------------------------
    async def one(self, key: str) -> Document | None:
        return await self.log.find_one({"_id": key}, {"event": 0}) or await self.queue.find_one({"_id": key})

    async def newest(self, query: Document, *, limit: int, skip: int = 0) -> list[Document]:
        """Queued and logged deliveries matching `query`, newest first."""
        found: list[Document] = []
        for collection in (self.queue, self.log):
            cursor = collection.find(query, {"event": 0}).sort("created_at", DESCENDING).limit(skip + limit)
            found += [d async for d in cursor]
        found.sort(key=lambda d: d["created_at"], reverse=True)
        return found[skip : skip + limit]

    async def status_counts(self, fanout_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        pipeline: list[Document] = [
            {"$match": {"fanout_id": fanout_id}},
            {"$group": {"_id": "$status", "n": {"$sum": 1}}},
        ]
        for collection in (self.queue, self.log):
            for row in await collection.aggregate(pipeline):
                counts[str(row["_id"])] = counts.get(str(row["_id"]), 0) + int(row["n"])
        return counts

    @staticmethod
    def address_query(recipient: str) -> Document:
        channel = "sms" if recipient.strip().startswith("+") else "email"
        return {"address_hash": address_hash(channel, recipient)}


def _claimed_up_to(n: int) -> Any:
    """The queue entry's `claim_n` equal to n; entries queued before claims were numbered have none (0)."""
    return {"$in": [0, None]} if n == 0 else n
