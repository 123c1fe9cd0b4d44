"""Erasure tombstones: a service remembers that a person asked to be erased, so that an event about them that
arrives after the erasure (the consumers run side by side, and a redelivery can overtake) is kept without their
details, exactly as if the erasure had come after it.

A tombstone is keyed by a hash of the normalised e-mail address or phone number (and by the idea ids the request
named): the service can recognise the person again but does not keep who they were. One document per key, written
with `$setOnInsert`, so recording an erasure twice (a redelivery) changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from koonto.shared.mongo.collection import Collection


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
        for key in tombstone_keys(email=email, phone=phone, idea_ids=idea_ids):
            try:
                await self.collection.update_one(
                    {"_id": key}, {"$setOnInsert": {"request_id": request_id, "erased_at": at}}, upsert=True
                )
            except DuplicateKeyError:  # two upserts of one key at once: the other one wrote it
                pass

    async def covers(
        self, *, email: str | None = None, phone: str | None = None, idea_ids: Iterable[str] = ()
    ) -> bool:
        """Whether the person (any of the given addresses) or the idea was erased."""
        keys = tombstone_keys(email=email, phone=phone, idea_ids=idea_ids)
        return bool(keys) and await self.collection.find_one({"_id": {"$in": keys}}, {"_id": 1}) is not None
