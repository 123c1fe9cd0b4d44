"""Planning: the delivery documents an event causes, and putting them on the queue.

Delivery guarantee (see services/notify/README.md): one delivery document per (cause event, address,
channel), keyed by that triple; `pending -> sending -> sent | failed` (or `skipped`, `cancelled`,
`unconfirmed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from koonto.notify.domain.keys import address_hash, delivery_key, normalise_address
from koonto.notify.domain.kinds import KINDS
from koonto.notify.domain.quiet_hours import next_allowed
from koonto.notify.domain.values import jsonable
from koonto.notify.use_cases.core import Core
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Document


def contact_channels(contact: Document, kind: str, *, always_email: bool = False) -> list[tuple[str, str]]:
    """(channel, address) pairs for a contact person: the preferred channel (SMS needs a phone and an SMS
    variant of the kind); the receipt also goes by e-mail, as it is the record with the status link."""
    wants_sms = contact.get("channel") == "sms" and bool(contact.get("phone")) and KINDS[kind].sms
    out: list[tuple[str, str]] = []
    if not wants_sms or always_email:
        out.append(("email", contact["email"]))
    if wants_sms:
        out.append(("sms", contact["phone"]))
    return out


class Planner:
    def __init__(self, core: Core) -> None:
        self.core = core

    def plan(
        self,
        cause: Envelope,
        *,
        kind: str,
        channel: str,
        address: str,
        language: str,
        name: str | None,
        context: Document,
        recipient_ref: str,
        fanout_id: str | None = None,
        erase_after_send: bool = False,
        key: str | None = None,
        due: datetime | None = None,
        topic: str | None = None,
    ) -> Document:
        """`key`: what the delivery is one of, when not its cause event (several events asking for one mail).
        `due`: not before then (a reminder); an SMS still waits for the end of the quiet hours. `topic`: the
        consent it is sent on, when not the kind's own (a newsletter to the subscribers of another topic)."""
        now, settings = self.core.now(), self.core.settings
        address = normalise_address(channel, address)
        due = max(due or now, now)
        if channel == "sms":
            due = next_allowed(due, settings.quiet_start_hour, settings.quiet_end_hour)
        doc: Document = {
            "_id": delivery_key(key or cause.id, channel, address),
            "cause_event_id": cause.id,
            "cause_type": cause.type,
            "correlation_id": cause.correlationid,
            "kind": kind,
            "topic": topic or KINDS[kind].topic,
            "channel": channel,
            "address": address,
            "address_hash": address_hash(channel, address),
            "recipient_ref": recipient_ref,
            "recipient_name": name or "",
            "language": language,
            "context": jsonable(context),
            "status": "pending",
            "attempts": 0,
            "claim_n": 0,  # see `Deliveries.claim`
            "due_at": due,
            "created_at": now,
            "region": cause.region,
        }
        if due > now:
            doc["not_before"] = due
        if fanout_id:
            doc["fanout_id"] = fanout_id
        if erase_after_send:
            doc["erase_after_send"] = True
        return doc

    def plan_for_contact(
        self,
        cause: Envelope,
        contact: Document,
        *,
        kind: str,
        context: Document,
        recipient_ref: str,
        always_email: bool = False,
    ) -> list[Document]:
        """One delivery per channel the contact person is reached by (see `contact_channels`)."""
        return [
            self.plan(
                cause,
                kind=kind,
                channel=channel,
                address=address,
                language=contact.get("language", "fi"),
                name=contact.get("name"),
                context=context,
                recipient_ref=recipient_ref,
            )
            for channel, address in contact_channels(contact, kind, always_email=always_email)
        ]

    async def enqueue(self, docs: Sequence[Document]) -> int:
        added = await self.core.store.deliveries.add(docs)
        if added:
            self.core.signals.deliveries_queued()
        return added

    async def enqueue_for_contact(
        self, cause: Envelope, contact: Document, *, kind: str, context: Document, recipient_ref: str,
        always_email: bool = False,
    ) -> int:
        docs = self.plan_for_contact(
            cause, contact, kind=kind, context=context, recipient_ref=recipient_ref, always_email=always_email
        )
        return await self.enqueue(docs)

    async def enqueue_email(
        self, cause: Envelope, *, kind: str, address: str, language: str, context: Document, recipient_ref: str,
        erase_after_send: bool = False, key: str | None = None, name: str | None = None,
        due: datetime | None = None,
    ) -> int:
        """One e-mail to an address that is not in the directory (confirmation links, the erasure receipt, an
        advice booking's confirmation and its reminder: `due`)."""
        doc = self.plan(
            cause, kind=kind, channel="email", address=address, language=language, name=name, context=context,
            recipient_ref=recipient_ref, erase_after_send=erase_after_send, key=key, due=due,
        )
        return await self.enqueue([doc])
