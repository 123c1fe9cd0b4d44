"""The recipient directory: contact persons, subscribers (with per-topic consent), registrants and staff."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pymongo import ASCENDING

from koonto.notify.domain.keys import normalise_address
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Collection, Document, Store, epoch_ms
from koonto.shared.outbox import event_field

COLLECTION = "recipients"
WITHDRAWALS = "consent_withdrawals"


def subscriber_id(email: str) -> str:
    return f"subscriber:{normalise_address('email', email)}"


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
        "_id": subscriber_id(email),
        "role": "subscriber",
        "email": normalise_address("email", email),
        "language": language,
        "municipality": municipality,
        "topics": {topic: {"consent": consent, "at": at, "at_ms": epoch_ms(at), "source": source,
                           "unsubscribe_url": unsubscribe_url}},
        "consent_log": [{"topic": topic, "consent": consent, "at": at, "source": source}],
    }


async def write_if_newer(collection: Collection, doc_id: str, field: str, ms: int, update: Document) -> bool:
    """Applies `update` only if the document's `field` (epoch ms) is missing or older than `ms`.

    Two plain conditional writes instead of one `$or` next to `_id` (some supported stores apply such a filter
    to other documents); times compare as epoch ms, which reads back the same on every store."""
    for condition in ({"$exists": False}, {"$lt": ms}):
        result = await collection.update_one({"_id": doc_id, field: condition}, update)
        if result.modified_count == 1:
            return True
    return False


class Recipients:
    def __init__(self, store: Store) -> None:
        self.collection = store[COLLECTION]
        self.withdrawals = store[WITHDRAWALS]

    # -- contact persons of ideas ----------------------------------------------------------------------------
    async def remember_contact(self, idea_id: str, fields: Document) -> None:
        await self.collection.update_one(
            {"_id": f"contact:{idea_id}"}, {"$set": {"role": "contact", "idea_id": idea_id, **fields}}, upsert=True
        )

    async def contact(self, idea_id: str) -> Document | None:
        return await self.collection.find_one({"_id": f"contact:{idea_id}"})

    async def contacts(self, idea_ids: Sequence[str]) -> list[Document]:
        return [d async for d in self.collection.find({"_id": {"$in": [f"contact:{i}" for i in idea_ids]}})]

    # -- subscribers and consent -----------------------------------------------------------------------------
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
        region: str | None = None,
        themes: Sequence[str] | None = None,
    ) -> bool:
        """Per-topic consent with its time and source; an older statement never overrides a newer one. A consent
        given in a region adds it to the topic's `regions` (the fan-outs of which region reach the address), as a
        field per region set to true (one of the embedded stores drops an `$addToSet` written next to `$set` and
        `$push`: docs/working-on-koonto.md). `themes`
        (a confirmation's: the topic's themes, empty for every theme) replace the topic's; None leaves them."""
        key = subscriber_id(email)
        await self.collection.update_one(
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
        at_ms = epoch_ms(at)
        fields: Document = {
            f"topics.{topic}.consent": consent,
            f"topics.{topic}.at": at,
            f"topics.{topic}.at_ms": at_ms,
            f"topics.{topic}.source": source,
        }
        if unsubscribe_url:
            fields[f"topics.{topic}.unsubscribe_url"] = unsubscribe_url
        if consent and region:
            fields[f"topics.{topic}.regions.{region}"] = True
        if themes is not None:
            fields[f"topics.{topic}.themes"] = list(themes)
        if language:
            fields["language"] = language
        if municipality is not None:
            fields["municipality"] = municipality
        update = {
            "$set": fields,
            "$push": {"consent_log": {"topic": topic, "consent": consent, "at": at, "source": source}},
        }
        return await write_if_newer(self.collection, key, f"topics.{topic}.at_ms", at_ms, update)

    async def record_withdrawal(self, envelope: Envelope, topics: Sequence[str], at: datetime) -> None:
        """A withdrawal made here, carrying its `consent-withdrawn` event (for intake's records). Written before
        the consents themselves: a crash between the two leaves intake cancelling, and its
        `subscription-cancelled` coming back withdraws the consent here after all."""
        await self.withdrawals.insert_new({"_id": envelope.id, "topics": list(topics), "at": at,
                                           **event_field(envelope)})

    async def subscriber(self, email: str) -> Document | None:
        return await self.collection.find_one({"_id": subscriber_id(email)})

    async def subscribers_after(self, cursor: str | None, limit: int) -> list[Document]:
        """Subscribers in _id order after `cursor`: the fan-out's resumable walk."""
        query: Document = {"role": "subscriber"}
        query["_id"] = {"$gt": cursor} if cursor else {"$gt": "subscriber:"}
        return [d async for d in self.collection.find(query).sort("_id", ASCENDING).limit(limit)]

    async def consents_of(self, emails: Iterable[str]) -> dict[str, dict[str, bool]]:
        ids = [subscriber_id(e) for e in emails]
        out: dict[str, dict[str, bool]] = {}
        async for doc in self.collection.find({"_id": {"$in": ids}}, {"email": 1, "topics": 1}):
            out[doc["email"]] = {t: bool(v.get("consent")) for t, v in (doc.get("topics") or {}).items()}
        return out

    # -- registrants and staff -------------------------------------------------------------------------------
    async def remember_registrant(self, registration_id: str, fields: Document, *, status: str) -> None:
        """`status` only when the registrant is new: a promotion or cancellation seen since keeps its word over
        a redelivered registration-received."""
        await self.collection.update_one(
            {"_id": f"registrant:{registration_id}"},
            {"$set": {"role": "registrant", **fields}, "$setOnInsert": {"status": status}}, upsert=True,
        )

    async def mark_registrant(self, registration_id: str, status: str, cancel_url: str | None = None) -> bool:
        """The registrant's status as intake tells it (a cancellation is final); False when not known yet."""
        changes: Document = {"status": status}
        if cancel_url:
            changes["cancel_url"] = cancel_url
        result = await self.collection.update_one(
            {"_id": f"registrant:{registration_id}", "status": {"$ne": "cancelled"}}, {"$set": changes}
        )
        return result.matched_count == 1 or await self.registrant(registration_id) is not None  # cancelled

    async def confirmed_registrants(self, event_id: str) -> list[Document]:
        cursor = self.collection.find({"role": "registrant", "scheduled_event_id": event_id, "status": "confirmed"})
        return [d async for d in cursor.sort("_id", ASCENDING)]

    async def registrant(self, registration_id: str) -> Document | None:
        return await self.collection.find_one({"_id": f"registrant:{registration_id}"})

    async def remember_staff(self, staff_id: str, fields: Document, updated_at: datetime) -> None:
        key = f"staff:{staff_id}"
        await self.collection.update_one(
            {"_id": key}, {"$setOnInsert": {"role": "staff", "staff_id": staff_id}}, upsert=True
        )
        updated_ms = epoch_ms(updated_at)
        update = {"$set": {**fields, "updated_at": updated_at, "updated_ms": updated_ms}}
        await write_if_newer(self.collection, key, "updated_ms", updated_ms, update)

    async def staff(self, staff_ids: Sequence[str] | None = None) -> list[Document]:
        query: Document = {"role": "staff", "active": True}
        if staff_ids is not None:
            query["_id"] = {"$in": [f"staff:{s}" for s in staff_ids]}
        return [d async for d in self.collection.find(query).sort("_id", ASCENDING)]

    # -- erasure ---------------------------------------------------------------------------------------------
    async def forget(self, email: str, phone: str | None, idea_ids: Sequence[str]) -> int:
        """Removes the person (every role) from the directory."""
        ors: list[Document] = [
            {"email": normalise_address("email", email)},
            {"_id": {"$in": [f"contact:{i}" for i in idea_ids]}},
        ]
        if phone:
            ors.append({"phone": normalise_address("sms", phone)})
        return (await self.collection.delete_many({"$or": ors})).deleted_count
