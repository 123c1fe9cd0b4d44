"""Per-person keys: the key store (owned by one service, in its database) and the client the others use.

A data subject is named by what an erasure request identifies the person by: `email:<address>` (lower-cased)
for what one address did (registrations, subscriptions, the erasure request itself) and `idea:<id>` for the
contact and messages of one idea (its contact may be amended to another address; the erasure request lists the
person's ideas). The key id is `<HMAC-SHA256(pepper, subject)[:32]>.<generation>`: it names no one, and a
subject whose key was destroyed gets a new generation when it turns up again, so what was sealed before the
erasure stays unreadable.

Collection `subject_keys` (the owner's database): one document per key id (`subject_hash`, `gen`, `key`,
`created_at`; `destroyed_at` and no `key` once destroyed) and the pepper (`_id: "_pepper"`). Losing the
collection loses every key: every sealed field in the stream reads as erased (docs/operations.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

import httpx
from pymongo import ASCENDING, IndexModel

from koonto.shared.clock import utcnow
from koonto.shared.mongo import Collection
from koonto.shared.sealing.cipher import new_key

COLLECTION = "subject_keys"
INDEXES = (IndexModel([("subject_hash", ASCENDING)], name="subject_hash"),)
PEPPER_ID = "_pepper"


class KeyStoreUnavailable(Exception):
    """The key store did not answer: try again later (a consumer retries, the relay keeps the event)."""


def email_subject(email: str) -> str:
    return f"email:{email.strip().lower()}"


IDEA_SUBJECT = "idea:"


def idea_subject(idea_id: str) -> str:
    return f"{IDEA_SUBJECT}{idea_id}"


class Keys(Protocol):
    async def key_for(self, subject: str) -> tuple[str, bytes]:
        """The current key of a data subject (created when it has none): (key id, key)."""
        ...

    async def key(self, kid: str) -> bytes | None:
        """The key with this id, or None when it was destroyed (or never existed)."""
        ...


class _Cache:
    """A short in-process memory of keys: what is known to be destroyed is remembered for good."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self.seconds = seconds
        self.size = size
        self._by_kid: OrderedDict[str, tuple[float, bytes | None]] = OrderedDict()
        self._by_subject: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def _fresh(self, at: float) -> bool:
        return time.monotonic() - at < self.seconds

    def key(self, kid: str) -> tuple[bool, bytes | None]:
        hit = self._by_kid.get(kid)
        if hit is None or (hit[1] is not None and not self._fresh(hit[0])):
            return False, None
        return True, hit[1]

    def key_of(self, subject: str) -> tuple[str, bytes] | None:
        """The subject's key id and key, when both are cached and the key still exists."""
        kid = self.kid_for(subject)
        if kid is None:
            return None
        known, key = self.key(kid)
        return (kid, key) if known and key is not None else None

    def kid_for(self, subject: str) -> str | None:
        hit = self._by_subject.get(subject)
        if hit is None or not self._fresh(hit[0]):
            return None
        known, key = self.key(hit[1])
        return hit[1] if known and key is not None else None

    def put(self, kid: str, key: bytes | None, subject: str | None = None) -> None:
        now = time.monotonic()
        self._by_kid[kid] = (now, key)
        self._by_kid.move_to_end(kid)
        if subject is not None:
            self._by_subject[subject] = (now, kid)
            self._by_subject.move_to_end(subject)
        for memory in (self._by_kid, self._by_subject):
            while len(memory) > self.size:
                memory.popitem(last=False)

    def forget_hashes(self, hashes: Iterable[str]) -> None:
        """Every key of these subject hashes is destroyed: remember that, and forget which key a subject had."""
        gone = set(hashes)
        now = time.monotonic()
        for kid in [k for k in self._by_kid if k.split(".")[0] in gone]:
            self._by_kid[kid] = (now, None)
        for subject in [s for s, (_, kid) in self._by_subject.items() if kid.split(".")[0] in gone]:
            del self._by_subject[subject]


class _CachedKeys:
    """A key looked up by its id through a short cache (a destroyed key is cached as None, too)."""

    _cache: _Cache

    async def key(self, kid: str) -> bytes | None:
        known, cached = self._cache.key(kid)
        if known:
            return cached
        key = await self._fetch(kid)
        self._cache.put(kid, key)
        return key

    async def _fetch(self, kid: str) -> bytes | None:
        raise NotImplementedError


class SubjectKeys(_CachedKeys):
    """The key store itself, on the owning service's database (intake's)."""

    def __init__(self, collection: Collection, *, cache_seconds: float = 30.0) -> None:
        self.collection = collection
        self._pepper: bytes | None = None
        self._cache = _Cache(cache_seconds)

    async def pepper(self) -> bytes:
        if self._pepper is None:
            await self.collection.insert_new(
                {"_id": PEPPER_ID, "pepper": base64.b64encode(secrets.token_bytes(32)).decode(), "created_at": utcnow()}
            )
            doc = await self.collection.find_one({"_id": PEPPER_ID})
            if doc is None:
                raise KeyStoreUnavailable("the key store's pepper could not be read back")
            self._pepper = base64.b64decode(doc["pepper"])
        return self._pepper

    async def subject_hash(self, subject: str) -> str:
        return hmac.new(await self.pepper(), subject.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    async def key_for(self, subject: str) -> tuple[str, bytes]:
        cached = self._cache.key_of(subject)
        if cached is not None:
            return cached
        h = await self.subject_hash(subject)
        if subject.startswith(IDEA_SUBJECT):
            # an idea's subject is new when its first event (idea-submitted) is sealed: one insert instead of a
            # look-up that finds nothing, the insert and a read back (3 store commands per new idea, measured)
            created = await self._create(subject, h, 1)
            if created is not None:
                return created
        while True:
            latest = [d async for d in self.collection.find({"subject_hash": h}).sort("gen", -1).limit(1)]
            if latest and latest[0].get("key"):
                kid, key = str(latest[0]["_id"]), base64.b64decode(latest[0]["key"])
                self._cache.put(kid, key, subject)
                return kid, key
            created = await self._create(subject, h, int(latest[0]["gen"]) + 1 if latest else 1)
            if created is not None:
                return created

    async def _create(self, subject: str, h: str, gen: int) -> tuple[str, bytes] | None:
        """The subject's key of generation `gen`, if this call created it. A unique-key insert: of two replicas
        creating the first key of a person at once, one wins and the other reads the winner's key."""
        kid, key = f"{h}.{gen}", new_key()
        if not await self.collection.insert_new({
            "_id": kid, "subject_hash": h, "gen": gen, "created_at": utcnow(), "key": base64.b64encode(key).decode(),
        }):
            return None
        self._cache.put(kid, key, subject)
        return kid, key

    async def _fetch(self, kid: str) -> bytes | None:
        doc = await self.collection.find_one({"_id": kid})
        return base64.b64decode(doc["key"]) if doc and doc.get("key") else None

    async def destroy(self, subjects: Iterable[str]) -> int:
        """Destroys every key of these subjects (all generations); returns how many keys went."""
        return await self.destroy_hashes([await self.subject_hash(s) for s in subjects])

    async def destroy_hashes(self, hashes: Iterable[str]) -> int:
        hashes = list(hashes)
        result = await self.collection.update_many(
            {"subject_hash": {"$in": hashes}, "key": {"$exists": True}},
            {"$unset": {"key": ""}, "$set": {"destroyed_at": utcnow()}},
        )
        self._cache.forget_hashes(hashes)
        return int(result.modified_count)


class KeyStoreClient(_CachedKeys):
    """The key store as the other services reach it: intake's internal API, with a short cache."""

    def __init__(self, base_url: str, token: str, *, cache_seconds: float = 30.0, timeout: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._cache = _Cache(cache_seconds)
        self._http: httpx.AsyncClient | None = None  # one pool of connections per process, made on first use

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout)
        try:
            response = await self._http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise KeyStoreUnavailable(f"key store not reachable: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            raise KeyStoreUnavailable(f"key store answered {response.status_code}")
        return response

    async def key_for(self, subject: str) -> tuple[str, bytes]:
        cached = self._cache.key_of(subject)
        if cached is not None:
            return cached
        response = await self._call("POST", "/internal/v1/subject-keys", json={"subject": subject})
        if response.status_code != 200:
            raise KeyStoreUnavailable(f"key store answered {response.status_code} for a subject key")
        body = response.json()
        kid, key = str(body["kid"]), base64.b64decode(body["key"])
        self._cache.put(kid, key, subject)
        return kid, key

    async def _fetch(self, kid: str) -> bytes | None:
        response = await self._call("GET", f"/internal/v1/subject-keys/{kid}")
        if response.status_code in (404, 410):
            return None
        if response.status_code == 200:
            return base64.b64decode(response.json()["key"])
        raise KeyStoreUnavailable(f"key store answered {response.status_code} for key {kid}")

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def build_keys(
    collection: Collection, *, owner: bool, url: str, token: str, cache_seconds: float, production: bool,
    default_token: str,
) -> SubjectKeys | KeyStoreClient:
    """The key store for a service: its own (the owner, or a service run alone without a URL) or the client."""
    if production and token == default_token:
        raise ValueError("KOONTO_KEY_STORE_TOKEN must be set outside local and test mode")
    if owner or not url:
        if production and not owner:
            raise ValueError("KOONTO_KEY_STORE_URL must name the key store's service (intake) in production")
        return SubjectKeys(collection, cache_seconds=cache_seconds)
    return KeyStoreClient(url, token, cache_seconds=cache_seconds)
