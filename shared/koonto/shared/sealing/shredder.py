"""Destroys a person's keys once every consumer of their erasure request has handled it.

The erasure request itself is sealed with the person's key, and the other services need to read it (to find
and erase their own copies, notify to send the confirmation). So the owning service schedules the destruction
when its own consumer handles the request (`schedule`, with the message's stream sequence), and a job destroys
the keys once every durable, explicitly acknowledging consumer of the erasure subject has its acknowledgement
floor at or past that message (handled or dead-lettered), or after `max_wait_seconds` at the latest (a
consumer that never catches up cannot keep a person's data readable). Until then the keys stay; afterwards
every sealed field of that person, in the stream and in its backups, reads as erased.

Collection `subject_key_shreds`: one document per erasure request, holding only subject hashes (no addresses).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import nats.js.api as js_api
from nats.js.client import JetStreamContext

from koonto.shared.bus import STREAM_NAME
from koonto.shared.contracts.intake import ErasureRequested
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Collection, epoch_ms
from koonto.shared.sealing.keys import SubjectKeys

COLLECTION = "subject_key_shreds"
ERASURE_SUBJECT = ErasureRequested.event_type()
log = get_logger(__name__)


class Shredder:
    def __init__(
        self, keys: SubjectKeys, collection: Collection, stream: Callable[[], JetStreamContext], *,
        interval_seconds: float = 2.0, max_wait_seconds: float = 3 * 24 * 3600,
    ) -> None:
        self.keys = keys
        self.collection = collection
        self.stream = stream
        self.interval_seconds = interval_seconds
        self.max_wait_seconds = max_wait_seconds

    async def schedule(self, request_id: str, subjects: Iterable[str], stream_seq: int | None) -> None:
        """Idempotent: a request handled twice is scheduled once."""
        hashes = sorted({await self.keys.subject_hash(s) for s in subjects})
        await self.collection.insert_new({
            "_id": request_id, "hashes": hashes, "stream_seq": stream_seq, "scheduled_ms": epoch_ms(), "done": False,
        })

    async def _consumers(self) -> list[js_api.ConsumerInfo]:
        infos = await self.stream().consumers_info(STREAM_NAME)
        return [
            c for c in infos
            if c.config.durable_name and c.config.ack_policy == js_api.AckPolicy.EXPLICIT
            and (c.config.filter_subject == ERASURE_SUBJECT or ERASURE_SUBJECT in (c.config.filter_subjects or []))
        ]

    @staticmethod
    def _handled_by(consumer: js_api.ConsumerInfo, stream_seq: int | None) -> bool:
        if stream_seq is None:  # (a re-driven request: no sequence) every consumer has caught up
            return not consumer.num_pending and not consumer.num_ack_pending
        floor = consumer.ack_floor.stream_seq if consumer.ack_floor else 0
        return int(floor or 0) >= stream_seq

    async def pass_once(self) -> int:
        """Destroys the keys of every request that is handled everywhere (or waited too long); returns how many."""
        pending = [d async for d in self.collection.find({"done": False})]
        if not pending:
            return 0
        consumers = await self._consumers()
        now = epoch_ms()
        shredded = 0
        for doc in pending:
            waited = (now - int(doc.get("scheduled_ms") or now)) / 1000
            handled = all(self._handled_by(c, doc.get("stream_seq")) for c in consumers)
            if not handled and waited < self.max_wait_seconds:
                continue
            destroyed = await self.keys.destroy_hashes(doc.get("hashes") or [])
            await self.collection.update_one({"_id": doc["_id"]}, {"$set": {"done": True, "done_ms": epoch_ms()}})
            log.info("erased person's keys destroyed", request_id=doc["_id"], keys=destroyed, waited_s=round(waited))
            shredded += 1
        return shredded

    async def run(self) -> None:
        while True:
            try:
                await self.pass_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS or the store away: the next pass tries again
                log.warning("key shredder pass failed; will retry", error=repr(exc))
            await asyncio.sleep(self.interval_seconds)
