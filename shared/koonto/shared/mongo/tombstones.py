"""Erasure tombstones: a service remembers that a person asked to be erased, so that an event about them that
arrives after the erasure (the consumers run side by side, and a redelivery can overtake) is kept without their
details, exactly as if the erasure had come after it.

A tombstone is keyed by a hash of the normalised e-mail address or phone number (and by the idea ids the request
named): the service can recognise the person again but does not keep who they were. One document per key; recording
an erasure twice (a redelivery) changes nothing.

A tombstone covers what happened up to the erasure, not after it: it keeps the time of the latest erasure of the
key (`erased_ms`, written with `$max`), and `covers(..., happened_at=)` is true only for an event that happened at
or before it. A person who asked to be erased and signs up again next week is a new sign-up, not one to strip. (A
tombstone written before the time was kept has no `erased_ms` and covers everything, as it did then.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from koonto.shared.mongo.collection import Collection
from koonto.shared.mongo.values import epoch_ms


def normalised_email(email: str) -> str:
    return email.strip().lower()


def normalised_phone(phone: str) -> str:
    """E.164 digits: separators dropped, a Finnish national 0-prefix turned into +358."""
    digits = re.sub(r"[^\d+]", "", phone.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+358" + digits[1:]
    return digits


def _hashed(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(f"koonto-erasure/{kind}/{value}".encode()).hexdigest()


def tombstone_keys(*, email: str | None = None, phone: str | None = None, idea_ids: Iterable[str] = ()) -> list[str]:
    keys = [_hashed("email", normalised_email(email))] if email else []
    if phone:
        keys.append(_hashed("phone", normalised_phone(phone)))
    keys += [f"idea:{idea_id}" for idea_id in idea_ids]
    return keys


class Tombstones:
    """The erasures one service has seen, in its own database (the collection `erasure_tombstones`)."""

    COLLECTION = "erasure_tombstones"

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def record(
        self, *, request_id: str, at: datetime, email: str, phone: str | None = None, idea_ids: Iterable[str] = ()
    ) -> None:
        update = {"$setOnInsert": {"request_id": request_id, "erased_at": at}, "$max": {"erased_ms": epoch_ms(at)}}
        for key in tombstone_keys(email=email, phone=phone, idea_ids=idea_ids):
            try:
                await self.collection.update_one({"_id": key}, update, upsert=True)
            except DuplicateKeyError:  # two upserts of one key at once: the other one wrote it; keep the later time
                await self.collection.update_one({"_id": key}, {"$max": update["$max"]})

    async def covers(
        self, *, email: str | None = None, phone: str | None = None, idea_ids: Iterable[str] = (),
        happened_at: datetime | None = None,
    ) -> bool:
        """Whether the person (any of the given addresses) or the idea was erased — when `happened_at` is given, by
        an erasure at or after that moment (what happened later is not covered)."""
        keys = tombstone_keys(email=email, phone=phone, idea_ids=idea_ids)
        if not keys:
            return False
        found = [d async for d in self.collection.find({"_id": {"$in": keys}}, {"erased_ms": 1})]
        if happened_at is None:
            return bool(found)
        moment = epoch_ms(happened_at)
        return any(d.get("erased_ms") is None or int(d["erased_ms"]) >= moment for d in found)
