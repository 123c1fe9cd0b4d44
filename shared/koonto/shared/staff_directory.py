"""Which staff accounts are active, with which roles and token generation: every service's own copy.

A staff token is valid for hours (`KOONTO_STAFF_TOKEN_TTL_SECONDS`), but an account can be deactivated, lose a
role or change its password at any moment. Advisory announces each of these as `staff-updated`, and bumps the
account's `token_generation` for a deactivation, a role change and a password change; the tokens it issues carry
that generation as the `gen` claim. Every service keeps the latest `staff-updated` of each account in a small
collection of its own database (`staff_directory`, fed by the consumer `<service>-staff-directory` the runtime
adds to every service), and `koonto.shared.auth` consults it for every request, so no request waits on advisory:

- an account the directory knows as inactive at the token's generation: refused (401);
- a token whose `gen` is older than the account's generation: refused (401);
- a token of the account's generation: the roles in the directory win over the token's claim (a downgrade that
  did not bump the generation, such as one announced before generations existed, takes effect too);
- a token whose `gen` is newer than the directory's entry (signed after a change whose event has not arrived
  yet): accepted as the token says.

An account the directory has never heard of is **accepted as the token says**: a fresh system (or a service
whose consumer has not caught up) would otherwise refuse every staff member until the first event flows, and
such a token is still one advisory signed for an account it has. Every account advisory creates emits
`staff-updated` (except one whose address the contract refuses, e.g. the local demo admin's), so the window in
which an unknown id is trusted is the few seconds it takes the event to arrive.

Lookups are cached in the process for `KOONTO_STAFF_DIRECTORY_CACHE_SECONDS` (2 s by default); an event applied
in this process drops its entry at once, so other replicas follow within that time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pymongo.errors import DuplicateKeyError

from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import StaffUpdated
from koonto.shared.mongo import Collection, epoch_ms

COLLECTION = "staff_directory"
SUBSCRIPTION_NAME = "staff-directory"  # durable consumer `<service>-staff-directory`
_ORDER_SCALE = 10**13  # epoch milliseconds stay below this until the year 2286


@dataclass(frozen=True)
class StaffEntry:
    staff_id: str
    active: bool
    roles: tuple[str, ...]
    generation: int
    region_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)


def order_of(event: StaffUpdated) -> int:
    """The generation first, then the time: a later update of the same generation (a new name) still wins."""
    return event.token_generation * _ORDER_SCALE + epoch_ms(event.updated_at)


class StaffDirectory:
    def __init__(self, collection: Collection, *, cache_seconds: float = 2.0) -> None:
        self.collection = collection
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, StaffEntry | None]] = {}

    def subscription(self) -> Subscription:
        return Subscription(StaffUpdated, self.on_staff_updated, name=SUBSCRIPTION_NAME)

    async def on_staff_updated(self, event: StaffUpdated, ctx: EventContext, deps: Any) -> None:
        """Keeps the newest state of the account; an older or repeated event changes nothing (idempotent,
        order-tolerant: a redelivery may overtake a later update)."""
        order = order_of(event)
        state = {
            "active": event.active,
            "roles": list(event.roles),
            "region_roles": {held.region: list(held.roles) for held in event.region_roles},
            "generation": event.token_generation,
            "order": order,
        }
        doc_id = event.staff_id
        # a guarded update (serialised per document in the process by the adapter), else the first insert;
        # a duplicate key means another delivery inserted first: decide against its entry
        updated = await self.collection.update_one({"_id": doc_id, "order": {"$lt": order}}, {"$set": state})
        if updated.matched_count == 0 and await self.collection.find_one({"_id": doc_id}) is None:
            try:
                await self.collection.insert_one({"_id": doc_id, **state})
            except DuplicateKeyError:
                await self.collection.update_one({"_id": doc_id, "order": {"$lt": order}}, {"$set": state})
        self._cache.pop(doc_id, None)

    async def entry(self, staff_id: str) -> StaffEntry | None:
        now = time.monotonic()
        cached = self._cache.get(staff_id)
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        doc = await self.collection.find_one({"_id": staff_id})
        entry = None
        if doc is not None:
            entry = StaffEntry(
                staff_id=staff_id, active=bool(doc.get("active")), roles=tuple(doc.get("roles", ())),
                generation=int(doc.get("generation", 0)),
                region_roles={code: tuple(held) for code, held in (doc.get("region_roles") or {}).items()},
            )
        self._cache[staff_id] = (now, entry)
        return entry

    async def admit(
        self, staff_id: str, generation: int, roles: tuple[str, ...],
        region_roles: dict[str, tuple[str, ...]] | None = None,
    ) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]] | None:
        """The roles (overall and per region) a verified token of `staff_id` at `generation` holds now, or None
        when it is revoked."""
        entry = await self.entry(staff_id)
        if entry is None or generation > entry.generation:
            return roles, dict(region_roles or {})  # never heard of, or not caught up yet: as the token says
        if generation < entry.generation or not entry.active:
            return None
        return entry.roles, entry.region_roles
