"""Bus plumbing: the KOONTO stream, publishing with Nats-Msg-Id, and the consumer defaults every service uses.

Consumers are durable pull consumers with MANUAL acknowledgement (FastStream's default would terminate a
message on an exception). The policy, in one place:

- decode the envelope and its contract model as a tolerant reader (unknown fields ignored, known ones
  validated); a message that does not decode is permanent -> dead letter
- skip an event id this consumer already processed (idempotency key), ack
- run the handler; ack only after its write
- PermanentError or a contract ValidationError -> dead-letter record + term
- any other exception -> nak with a growing delay, until `max_deliver`, then dead-letter record + term
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import nats.js.api as js_api
import nats.js.errors as js_errors
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, NatsMessage, PullSub
from nats.js.client import JetStreamContext
from pydantic import ValidationError
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from koonto.shared.clock import utcnow
from koonto.shared.contracts import Envelope, EventData, make_envelope
from koonto.shared.logs import get_logger, log_context
from koonto.shared.metrics import DEAD_LETTERS, EVENT_PROCESSING, EVENTS_CONSUMED, REDELIVERIES
from koonto.shared.mongo import Document
from koonto.shared.region import using_region
from koonto.shared.sealing import KeyStoreUnavailable, Opener
from koonto.shared.tracing import consumer_span

STREAM_NAME = "KOONTO"
STREAM_SUBJECTS = ["koonto.>"]
DUPLICATE_WINDOW = timedelta(minutes=15)

log = get_logger(__name__)


class PermanentError(Exception):
    """The event can never be processed as it is (bad data, a broken invariant): dead-letter it at once."""


def stream_config(replicas: int = 1) -> js_api.StreamConfig:
    return js_api.StreamConfig(
        name=STREAM_NAME,
        subjects=STREAM_SUBJECTS,
        retention=js_api.RetentionPolicy.LIMITS,  # the stream is the audit trail: never work-queue
        storage=js_api.StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        num_replicas=replicas,
        discard=js_api.DiscardPolicy.OLD,
    )


async def ensure_stream(js: JetStreamContext, replicas: int = 1) -> None:
    """Declare KOONTO idempotently: create it, or bring an existing one to this configuration."""
    config = stream_config(replicas)
    try:
        await js.add_stream(config)
    except js_errors.BadRequestError:
        await js.update_stream(config)


def backoff(attempt: int, base: float, maximum: float) -> float:
    """Delay before the next delivery after `attempt` failed deliveries: base * 2^(attempt-1), capped."""
    return float(min(maximum, base * (2 ** max(attempt - 1, 0))))


@dataclass(frozen=True)
class ConsumerPolicy:
    max_deliver: int = 8
    ack_wait_seconds: float = 30.0
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 60.0
    # FastStream runs the messages of one fetched batch concurrently; one at a time keeps each consumer in
    # stream order (a redelivery can still overtake, so handlers never rely on order alone).
    batch_size: int = 1


@dataclass(frozen=True)
class EventContext:
    """What a handler knows about the message besides its payload, and how it emits follow-up events."""

    envelope: Envelope
    attempt: int
    region: str
    service: str
    stream_seq: int | None = None  # the message's stream sequence (None when re-driven from a dead letter)

    @property
    def event_id(self) -> str:
        return self.envelope.id

    def new_event(self, data: EventData, *, subject: str) -> Envelope:
        """An event caused by this one: same correlation id; the trace continues from the consumer's span."""
        return make_envelope(
            data,
            subject=subject,
            region=self.envelope.region,
            correlation_id=self.envelope.correlationid,
        )


# The one handler signature of every consumer in every service:
#     async def on_idea_submitted(event: IdeaSubmitted, ctx: EventContext, deps: Container) -> None
Handler = Callable[[Any, EventContext, Any], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One row of a service's subscription table: which event, which handler."""

    event: type[EventData]
    handler: Handler
    name: str = ""
    # messages of this subscription a replica handles at once (each fetched as a worker is free; a message still
    # waiting in the process at a stop is redelivered after the ack wait, as any unacked one). 1 keeps stream
    # order; more only where order between events cannot matter (each event is about its own aggregate) and a
    # handler bound by its round trips must keep up with a rush (notify's receipts).
    parallel: int = 1

    @property
    def subject(self) -> str:
        return self.event.event_type()

    def durable(self, service: str) -> str:
        suffix = self.name or f"{self.event.producer}-{self.event.event_name}-v{self.event.version}"
        return f"{service}-{suffix}"


class Inbox:
    """Processed event ids per consumer (unique key): the consumer side of exactly-once-in-effect."""

    COLLECTION = "processed_events"

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db[self.COLLECTION]

    async def seen(self, consumer: str, event_id: str) -> bool:
        return await self.collection.find_one({"_id": f"{consumer}/{event_id}"}, {"_id": 1}) is not None

    async def record(self, consumer: str, event_id: str, event_type: str) -> None:
        try:
            await self.collection.insert_one(
                {"_id": f"{consumer}/{event_id}", "consumer": consumer, "type": event_type, "at": utcnow()}
            )
        except DuplicateKeyError:
            pass  # another replica finished the same event first; the handler's own writes are idempotent


class DeadLetters:
    """Messages that gave up, kept in the consuming service's own database for staff to see and re-drive."""

    COLLECTION = "dead_letters"
    INDEXES = (IndexModel([("status", ASCENDING)], name="status"),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db[self.COLLECTION]

    async def add(
        self, *, consumer: str, subject: str, body: bytes, headers: dict[str, str], error: BaseException,
        deliveries: int, event_id: str | None,
    ) -> str:
        key = f"{consumer}/{event_id or headers.get('Nats-Msg-Id') or f'unparsed-{time.time_ns()}'}"
        now = utcnow()
        await self.collection.update_one(
            {"_id": key},
            {
                "$set": {
                    "consumer": consumer,
                    "subject": subject,
                    "event_id": event_id,
                    "body": body.decode("utf-8", errors="replace"),
                    "headers": headers,
                    "error": f"{type(error).__name__}: {error}"[:2000],
                    "deliveries": deliveries,
                    "status": "dead",
                    "last_failed_at": now,
                },
                "$setOnInsert": {"first_failed_at": now},
            },
            upsert=True,
        )
        return key

    async def list(self, status: str | None = "dead", limit: int = 100) -> list[Document]:
        query: Document = {} if status is None else {"status": status}
        return [d async for d in self.collection.find(query).sort("last_failed_at", -1).limit(limit)]

    async def get(self, key: str) -> Document | None:
        return await self.collection.find_one({"_id": key})

    async def mark(self, key: str, status: str, **extra: Any) -> None:
        await self.collection.update_one({"_id": key}, {"$set": {"status": status, **extra}})


class Consumer:
    """Runs one subscription under the consumer policy. Also used to re-drive a dead letter in-process."""

    def __init__(
        self,
        *,
        service: str,
        subscription: Subscription,
        inbox: Inbox,
        dead_letters: DeadLetters,
        policy: ConsumerPolicy,
        region: str,
        deps: Any,
        opener: Opener | None = None,
    ) -> None:
        self.service = service
        self.opener = opener  # opens sealed personal fields before the handler sees them (koonto.shared.sealing)
        self.deps = deps
        self.subscription = subscription
        self.name = subscription.durable(service)
        self.inbox = inbox
        self.dead_letters = dead_letters
        self.policy = policy
        self.region = region

    def register(self, broker: NatsBroker) -> None:
        config = ConsumerConfig(
            durable_name=self.name,
            max_deliver=self.policy.max_deliver,
            ack_wait=self.policy.ack_wait_seconds,
            filter_subject=self.subscription.subject,
            deliver_policy=js_api.DeliverPolicy.ALL,
            ack_policy=js_api.AckPolicy.EXPLICIT,
        )

        async def on_message(msg: NatsMessage) -> None:
            await self.on_message(msg)

        broker.subscriber(
            self.subscription.subject,
            stream=JStream(STREAM_NAME, declare=False),
            durable=self.name,
            config=config,
            pull_sub=PullSub(batch_size=self.policy.batch_size, timeout=1.0),
            max_workers=self.subscription.parallel,
            ack_policy=AckPolicy.MANUAL,
            no_reply=True,
            title=self.name,
            description=self.subscription.event.summary,
        )(on_message)

    async def on_message(self, msg: NatsMessage) -> None:
        raw = msg.raw_message
        attempt = int(getattr(getattr(raw, "metadata", None), "num_delivered", 1) or 1)
        headers = dict(raw.headers or {})
        sequence = getattr(getattr(raw, "metadata", None), "sequence", None)
        stream_seq = int(getattr(sequence, "stream", 0) or 0) or None
        outcome = await self.process(raw.data, headers, attempt=attempt, stream_seq=stream_seq)
        if outcome == "retry":
            await msg.nack(
                delay=backoff(attempt, self.policy.backoff_base_seconds, self.policy.backoff_max_seconds)
            )
        elif outcome == "dead":
            await msg.reject()  # term: JetStream will not redeliver; the dead letter keeps it
        else:
            await msg.ack()

    async def process(
        self, body: bytes, headers: dict[str, str], *, attempt: int, redrive: bool = False,
        stream_seq: int | None = None,
    ) -> str:
        """Returns 'done', 'duplicate', 'retry' or 'dead'. Never raises for a handler failure."""
        consumer = self.name
        if attempt > 1:
            REDELIVERIES.labels(self.service, consumer).inc()
        seen: asyncio.Future[bool] | None = None
        try:
            # the tolerant reader: fields this version does not know are ignored, known ones validated
            envelope = Envelope.read_json(body)
            if self.opener is not None:  # a field whose key is gone opens as erased, never as an error
                # the inbox look-up runs while the key store is asked (one wait instead of two in a row); its
                # answer is used only once the event has decoded, as before
                seen = asyncio.ensure_future(self.inbox.seen(consumer, envelope.id))
                envelope = await self.opener.open(envelope)
            data = self.subscription.event.read(envelope.data)
            if envelope.type != self.subscription.subject:
                raise PermanentError(f"type {envelope.type} arrived on {self.subscription.subject}")
        except (ValueError, PermanentError) as exc:  # (ValidationError and a JSON error are ValueErrors)
            _dropped(seen)
            await self._dead(body, headers, exc, attempt, event_id=headers.get("Nats-Msg-Id"))
            return "dead"
        except KeyStoreUnavailable as exc:  # the key store will answer again: retry like a failed handler
            _dropped(seen)
            if redrive or attempt >= self.policy.max_deliver:
                await self._dead(body, headers, exc, attempt, event_id=headers.get("Nats-Msg-Id"))
                return "dead"
            log.warning("key store unavailable; will be redelivered", error=repr(exc), attempt=attempt)
            return "retry"
        except BaseException:
            _dropped(seen)
            raise

        with (
            log_context(
                event_id=envelope.id, correlation_id=envelope.correlationid, event_type=envelope.type,
                trace_id=envelope.traceparent.split("-")[1] if envelope.traceparent else None,
            ),
            consumer_span(self.service, envelope.type, envelope.id, envelope.traceparent),
        ):
            if await (seen if seen is not None else self.inbox.seen(consumer, envelope.id)):
                EVENTS_CONSUMED.labels(self.service, consumer, "duplicate").inc()
                return "duplicate"
            started = time.perf_counter()
            try:
                context = EventContext(
                    envelope=envelope, attempt=attempt, region=envelope.region, service=self.service,
                    stream_seq=stream_seq,
                )
                with using_region(envelope.region):  # the handler works for the event's region (region.py)
                    await self.subscription.handler(data, context, self.deps)
                await self.inbox.record(consumer, envelope.id, envelope.type)
            except (PermanentError, ValidationError) as exc:
                log.error("event rejected permanently", error=repr(exc))
                await self._dead(body, headers, exc, attempt, event_id=envelope.id)
                return "dead"
            except Exception as exc:
                if redrive or attempt >= self.policy.max_deliver:
                    log.error("event gave up after retries", error=repr(exc), attempt=attempt)
                    await self._dead(body, headers, exc, attempt, event_id=envelope.id)
                    return "dead"
                log.warning("event failed; will be redelivered", error=repr(exc), attempt=attempt)
                EVENTS_CONSUMED.labels(self.service, consumer, "retried").inc()
                return "retry"
            finally:
                EVENT_PROCESSING.labels(self.service, consumer).observe(time.perf_counter() - started)
            EVENTS_CONSUMED.labels(self.service, consumer, "processed").inc()
            return "done"

    async def _dead(
        self, body: bytes, headers: dict[str, str], error: BaseException, attempt: int, event_id: str | None
    ) -> None:
        await self.dead_letters.add(
            consumer=self.name, subject=self.subscription.subject, body=body, headers=headers, error=error,
            deliveries=attempt, event_id=event_id,
        )
        DEAD_LETTERS.labels(self.service, self.name).inc()
        EVENTS_CONSUMED.labels(self.service, self.name, "dead_lettered").inc()


def _dropped(look_up: asyncio.Future[bool] | None) -> None:
    """An inbox look-up started beside the opening whose answer is no longer needed: cancelled, its error ignored."""
    if look_up is not None:
        look_up.cancel()
        look_up.add_done_callback(lambda done: done.cancelled() or done.exception())


async def redrive(consumers: Sequence[Consumer], dead_letters: DeadLetters, key: str) -> str:
    """Run a dead letter through its consumer again, in this process. Returns the new status."""
    letter = await dead_letters.get(key)
    if letter is None:
        raise KeyError(key)
    consumer = next((c for c in consumers if c.name == letter["consumer"]), None)
    if consumer is None:
        raise KeyError(f"no consumer {letter['consumer']!r} in this service")
    outcome = await consumer.process(
        letter["body"].encode(), letter.get("headers") or {}, attempt=int(letter.get("deliveries", 0)) + 1,
        redrive=True,
    )
    if outcome in ("done", "duplicate"):
        await dead_letters.mark(key, "redriven", redriven_at=utcnow())
        return "redriven"
    return "dead"


@dataclass
class Publisher:
    """Publishes to JetStream with Nats-Msg-Id = event id, waiting for the stream's acknowledgement."""

    broker: NatsBroker
    timeout: float = 5.0
    extra_headers: dict[str, str] = field(default_factory=dict)

    async def __call__(self, subject: str, body: bytes, message_id: str, traceparent: str | None = None) -> None:
        headers = {"Nats-Msg-Id": message_id, "Content-Type": "application/cloudevents+json", **self.extra_headers}
        if traceparent:
            headers["traceparent"] = traceparent
        await self.broker.publish(
            body,
            subject,
            headers=headers,
            stream=STREAM_NAME,
            timeout=self.timeout,
        )
