"""The only package that talks to notify's database, built on `koonto.shared.mongo.Store`; one repository per
aggregate, methods in domain words, within the store subset.

Collections: `recipients` (contact persons, subscribers, registrants, staff: one directory), `delivery_queue`
(pending, sending, unconfirmed), `delivery_claims` (which replica sends a delivery: one unique key per attempt),
`deliveries` (the insert-only log of outcomes; carries the notification-sent / -failed events for the shared
relay), `suppressions`, `fanouts`, `scheduled_events`, `case_copies`, `followups`,
`digests`, `campaigns` (newsletters staff compose; the embedded outbox of `newsletter-published`),
`consent_withdrawals` (one per withdrawal; carries its `consent-withdrawn` event for the shared relay).
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from koonto.notify.store.campaigns import Campaigns
from koonto.notify.store.deliveries import CLAIMS, LOG, QUEUE, Deliveries
from koonto.notify.store.fanouts import Fanouts
from koonto.notify.store.recipients import WITHDRAWALS, Recipients, subscriber_document, subscriber_id
from koonto.notify.store.records import Records
from koonto.shared.mongo import Store

INDEXES = {
    "recipients": [
        IndexModel([("role", ASCENDING)], name="role"),  # (no compound with _id: not every store can index it)
        IndexModel([("email", ASCENDING)], name="email"),
        IndexModel([("phone", ASCENDING)], name="phone"),
    ],
    QUEUE: [
        IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due"),
        IndexModel([("status", ASCENDING), ("fanout_id", ASCENDING), ("due_at", ASCENDING)], name="due_first"),
        IndexModel([("status", ASCENDING), ("locked_until", ASCENDING)], name="leases"),
        IndexModel([("fanout_id", ASCENDING), ("status", ASCENDING)], name="fanout_status"),
        IndexModel([("address_hash", ASCENDING)], name="address_hash"),
    ],
    LOG: [  # (the relay adds its `event_pending` index)
        IndexModel([("fanout_id", ASCENDING), ("status", ASCENDING)], name="fanout_status"),
        IndexModel([("created_at", DESCENDING)], name="created"),
        IndexModel([("address_hash", ASCENDING)], name="address_hash"),
        IndexModel([("kind", ASCENDING), ("created_at", DESCENDING)], name="kind_created"),
    ],
    CLAIMS: [IndexModel([("at", ASCENDING)], name="at")],
    "fanouts": [IndexModel([("status", ASCENDING)], name="status")],
    "campaigns": [IndexModel([("status", ASCENDING)], name="status")],
    "case_copies": [IndexModel([("opened_at", ASCENDING)], name="opened_at")],
    "followups": [IndexModel([("received_at", ASCENDING)], name="received_at")],
}

EVENT_COLLECTIONS = [LOG, WITHDRAWALS]
OUTBOX_COLLECTIONS = ["campaigns"]


class NotifyStore:
    """notify's repositories on one shared `Store` (one set of document locks, the relay's writes included)."""

    def __init__(self, store: Store) -> None:
        self.recipients = Recipients(store)
        self.deliveries = Deliveries(store)
        self.fanouts = Fanouts(store)
        self.campaigns = Campaigns(store)
        self.records = Records(store)


__all__ = [
    "EVENT_COLLECTIONS",
    "INDEXES",
    "OUTBOX_COLLECTIONS",
    "Campaigns",
    "Deliveries",
    "Fanouts",
    "NotifyStore",
    "Recipients",
    "Records",
    "subscriber_document",
    "subscriber_id",
]
