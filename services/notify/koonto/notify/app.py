"""The notify service layer: plans deliveries from events and works the delivery queue.

Delivery guarantee (see services/notify/README.md): one delivery document per (cause event, address,
channel), keyed by that triple; `pending -> sending -> sent | failed` (or `skipped`, `cancelled`,
`unconfirmed`). "sending" is written (the claim) right before the provider is called and "sent" right after
it answered; the notification-sent / -failed event rides in the same write (embedded outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from pymongo.errors import PyMongoError

from koonto.notify.batching import GroupCommit
from koonto.notify.channels.mail import MailSender, SmtpMailer
from koonto.notify.channels.sms import SmsSender, TwilioSms
from koonto.notify.clock import Clock, SystemClock
from koonto.notify.compose import email_bytes
from koonto.notify.domain import ics
from koonto.notify.domain.keys import address_hash, delivery_key, message_id, normalise_address
from koonto.notify.domain.kinds import KINDS, may_send
from koonto.notify.domain.quiet_hours import in_quiet_hours, next_allowed
from koonto.notify.domain.retry import DeliveryError, SendResult, retry_delay
from koonto.notify.links import Links
from koonto.notify.render import Renderer
from koonto.notify.settings import NotifySettings
from koonto.notify.store import NotifyStore, jsonable, outbox_event
from koonto.shared.clock import HELSINKI, as_utc
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.notify import NotificationFailed, NotificationSent
from koonto.shared.logs import get_logger, log_context
from koonto.shared.metrics import NOTIFICATIONS

if TYPE_CHECKING:
    from koonto.shared.runtime import Runtime

log = get_logger(__name__)
Document = dict[str, Any]


class RateLimiter:
    """At most `rate` starts per second (per replica), spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._next = max(self._next, now)
        delay = self._next - now
        self._next += self.interval
        if delay > 0:
            await asyncio.sleep(delay)


class NotCommitted(Exception):
    """The `committing` mark could not be written under this claim: the message must not be sent."""


class NotifyApp:
    def __init__(
        self,
        settings: NotifySettings,
        clock: Clock | None = None,
        *,
        mailer: MailSender | None = None,
        sms: SmsSender | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.renderer = Renderer()
        self.links = Links(settings.secret_key, settings.public_base_url)
        self._mailer = mailer
        self._sms = sms
        self._runtime: Runtime | None = None
        self._store: NotifyStore | None = None
        self._wake = asyncio.Event()
        self._fanout_wake = asyncio.Event()
        self._events_wake = asyncio.Event()
        self._fresh_events: list[Document] = []  # recorded in the log, not yet published by this replica
        self._fanout_contexts: dict[str, Document] = {}
        self.mail_limiter = RateLimiter(settings.mail_rate_per_second)
        self.sms_limiter = RateLimiter(settings.sms_rate_per_second)
        self.limiter = RateLimiter(settings.send_rate_per_second) if settings.send_rate_per_second else None
        # marks wait up to 2 ms for the marks of the other connections (each is still written before its DATA)
        self._marks: GroupCommit[Document, bool] = GroupCommit(self._write_marks, max_batch=64, linger=0.002)
        # outcomes wait up to 50 ms for company: each is still its own log document (with its event) and its
        # mark is already in the store, so the wait only widens the crash window by those 50 ms
        self._outcomes: GroupCommit[Document, bool] = GroupCommit(self._write_outcomes, max_batch=200, linger=0.05)
        self._held: dict[str, str] = {}  # claimed, not started yet: key -> claim token
        self._stopping = False
        self._room = asyncio.Event()
        self._provider_pause = 0.0
        self._stale_left = False

    # -- wiring ----------------------------------------------------------------------------------------------
    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._store = NotifyStore(runtime.db)
        runtime.state["notify"] = self

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None, "NotifyApp is not bound to a runtime"
        return self._runtime

    @property
    def store(self) -> NotifyStore:
        assert self._store is not None, "NotifyApp is not bound to a runtime"
        return self._store

    @property
    def mailer(self) -> MailSender:
        if self._mailer is None:
            self._mailer = SmtpMailer(self.settings)
        return self._mailer

    @property
    def sms(self) -> SmsSender:
        if self._sms is None:
            self._sms = TwilioSms(self.settings)
        return self._sms

    def now(self) -> datetime:
        return as_utc(self.clock.now())

    def wake(self) -> None:
        self._wake.set()

    def common_context(self) -> Document:
        region = self.runtime.region
        return {"project_name": region.project_name, "contact_email": region.contact_email, "website": region.website}

    # -- planning --------------------------------------------------------------------------------------------
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
    ) -> Document:
        now = self.now()
        address = normalise_address(channel, address)
        due = now
        if channel == "sms":
            due = next_allowed(now, self.settings.quiet_start_hour, self.settings.quiet_end_hour)
        doc: Document = {
            "_id": delivery_key(cause.id, channel, address),
            "cause_event_id": cause.id,
            "cause_type": cause.type,
            "correlation_id": cause.correlationid,
            "kind": kind,
            "topic": KINDS[kind].topic,
            "channel": channel,
            "address": address,
            "address_hash": address_hash(channel, address),
            "recipient_ref": recipient_ref,
            "recipient_name": name or "",
            "language": language,
            "context": jsonable(context),
            "status": "pending",
            "attempts": 0,
            "claim_seq": 0,
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

    async def enqueue(self, docs: Sequence[Document]) -> int:
        added = await self.store.add_deliveries(docs)
        if added:
            self.wake()
        return added

    def contact_channels(self, contact: Document, kind: str, *, always_email: bool = False) -> list[tuple[str, str]]:
        """(channel, address) pairs for a contact person: the preferred channel (SMS needs a phone and an SMS
        variant of the kind); the receipt also goes by e-mail, as it is the record with the status link."""
        wants_sms = contact.get("channel") == "sms" and bool(contact.get("phone")) and KINDS[kind].sms
        out: list[tuple[str, str]] = []
        if not wants_sms or always_email:
            out.append(("email", contact["email"]))
        if wants_sms:
            out.append(("sms", contact["phone"]))
        return out

    async def start_fanout(
        self,
        cause: Envelope,
        *,
        kind: str,
        topic: str,
        context: Document,
        title: str,
        municipality: str | None = None,
    ) -> bool:
        created = await self.store.create_fanout(
            {
                "_id": f"{cause.id}:{kind}",
                "cause_event_id": cause.id,
                "cause_type": cause.type,
                "correlation_id": cause.correlationid,
                "region": cause.region,
                "kind": kind,
                "topic": topic,
                "municipality": municipality,
                "context": jsonable(context),
                "title": title,
                "status": "expanding",
                "cursor": None,
                "scanned": 0,
                "queued": 0,
                "created_at": self.now(),
            }
        )
        self._fanout_wake.set()
        return created

    # -- the delivery worker ---------------------------------------------------------------------------------
    # One claimer takes due deliveries in batches (one conditional update_many, then a read-back of what it won)
    # and hands them to `smtp_pool_size` mail senders and as many SMS senders. Each mail is still marked
    # `committing` on its own right before its own DATA, and each outcome is still one insert of its log
    # document with its event; marks and outcomes asked for at the same moment by several senders share one
    # store write (GroupCommit). Claimed deliveries not yet started when the worker stops go back to the queue.
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.settings.delivery_lease_seconds)

    def _batch_limits(self) -> tuple[int, int]:
        """How many mails and SMS one claim may take: the batch size, and no more than can start well inside
        the lease at the configured rates (a claim never outlives its lease while waiting in memory)."""
        s = self.settings
        window = s.delivery_lease_seconds / 4
        mail_rate = min(s.mail_rate_per_second, s.send_rate_per_second or s.mail_rate_per_second)
        sms_rate = min(s.sms_rate_per_second, s.send_rate_per_second or s.sms_rate_per_second)
        return max(1, min(s.worker_batch, int(mail_rate * window))), max(1, min(s.worker_batch, int(sms_rate * window)))

    async def run_worker(self, runtime: Runtime) -> None:
        """Claims due deliveries and sends them at the configured rates, several at a time; never blocks the
        consumers (they only write deliveries). On stop, sends under way are let finish (15 s at most) and what
        was claimed but not started goes back to the queue."""
        size = self.settings.smtp_pool_size
        mail_queue: asyncio.Queue[Document | None] = asyncio.Queue()
        sms_queue: asyncio.Queue[Document | None] = asyncio.Queue()
        self._held = {}
        self._stopping = False
        senders = [asyncio.create_task(self._sender(mail_queue, "email")) for _ in range(size)]
        senders += [asyncio.create_task(self._sender(sms_queue, "sms")) for _ in range(size)]
        idle_delay = self.settings.worker_poll_seconds
        mail_max, sms_max = self._batch_limits()
        try:
            while True:
                # claim the next batch while the senders still have about half a batch to work on
                while mail_queue.qsize() > mail_max // 2 or sms_queue.qsize() >= sms_max:
                    self._room.clear()
                    await self._room.wait()
                pause = self._provider_pause - asyncio.get_running_loop().time()
                if pause > 0:
                    await asyncio.sleep(pause)
                docs = await self.store.due(self.now(), self.settings.worker_batch)
                if len(docs) < self.settings.worker_batch:
                    self._fanout_wake.set()  # the queue runs low: let the fan-out expand its next batch
                mails = [d for d in docs if d["channel"] == "email"][: max(0, mail_max - mail_queue.qsize())]
                texts = [d for d in docs if d["channel"] == "sms"][: max(0, sms_max - sms_queue.qsize())]
                won = await self._claim(mails + texts) if mails or texts else []
                if not won:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), idle_delay)
                    continue
                for doc in won:
                    (mail_queue if doc["channel"] == "email" else sms_queue).put_nowait(doc)
        except asyncio.CancelledError:
            self._stopping = True
            for queue in (mail_queue, sms_queue):  # nothing new starts; what waited goes back to the queue
                while not queue.empty():
                    queue.get_nowait()
                for _ in range(size):
                    queue.put_nowait(None)  # each idle sender ends at once
            await asyncio.wait(senders, timeout=15)
            for task in senders:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._release_held(), 10)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._outcomes.drain(), 10)
            with contextlib.suppress(Exception):
                await self.close()
            raise

    async def _claim(self, candidates: Sequence[Document]) -> list[Document]:
        """Claims a batch; settles at once the ones that may not be sent (no consent, suppressed) and postpones
        SMS caught by the quiet hours. Returns the claimed deliveries to send, each with its `checks`."""
        checks = await self._prefetch_checks(candidates)
        token = f"{self.runtime.instance_id}:{uuid.uuid4().hex[:12]}"
        now = self.now()
        won = await self.store.claim_batch(candidates, now=now, lease=self._lease(), token=token)
        out: list[Document] = []
        skipped: list[tuple[Document, str]] = []
        settings = self.settings
        for doc in won:
            kind = KINDS[doc["kind"]]
            suppressed = f"{doc['channel']}:{doc['address_hash']}" in checks["suppressed"]
            consents = checks["consents"].get(doc["address"]) if kind.topic else None
            allowed, reason = may_send(kind, consents, suppressed=suppressed)
            if not allowed:
                skipped.append((doc, reason))
            elif doc["channel"] == "sms" and in_quiet_hours(now, settings.quiet_start_hour, settings.quiet_end_hour):
                await self.store.postpone(
                    doc["_id"],
                    token,
                    due_at=next_allowed(now, settings.quiet_start_hour, settings.quiet_end_hour),
                    reason="quiet-hours",
                )
            else:
                self._held[doc["_id"]] = token
                out.append(doc)
        if skipped:
            await asyncio.gather(
                *(self._outcomes.submit({**doc, "status": "skipped", "skip_reason": reason}) for doc, reason in skipped)
            )
            for doc, _ in skipped:
                NOTIFICATIONS.labels("notify", doc["channel"], "skipped").inc()
        return out

    async def _prefetch_checks(self, docs: Sequence[Document]) -> Document:
        """Suppression and consent of a whole batch in two queries, not two per message."""
        suppressed = {
            s["_id"]
            async for s in self.store.suppressions.find(
                {"_id": {"$in": [f"{d['channel']}:{d['address_hash']}" for d in docs]}}, {"_id": 1}
            )
        }
        emails = [d["address"] for d in docs if d["channel"] == "email" and d.get("topic")]
        consents = await self.store.consents_of(emails) if emails else {}
        return {"suppressed": suppressed, "consents": consents}

    async def _sender(self, queue: asyncio.Queue[Document | None], channel: str) -> None:
        limiter = self.mail_limiter if channel == "email" else self.sms_limiter
        while not self._stopping:
            doc = await queue.get()
            if doc is None:
                break
            try:
                if self._stopping:
                    break
                if queue.qsize() <= self._batch_limits()[0] // 2:
                    self._room.set()
                if asyncio.get_running_loop().time() < self._provider_pause:
                    continue  # the provider was not reachable a moment ago: leave it for the next claim
                await limiter.wait()
                if self.limiter is not None:
                    await self.limiter.wait()
                if self._stopping:
                    break
                with log_context(
                    delivery=doc["_id"], event_id=doc.get("cause_event_id"), correlation_id=doc.get("correlation_id")
                ):
                    await self._deliver_claimed(doc)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery crashed; it will be settled when its lease runs out")
            finally:
                if self._held.get(doc["_id"]) == doc["locked_by"] and not self._stopping:
                    # never started (provider away): give it back at once rather than after the lease
                    self._held.pop(doc["_id"], None)
                    with contextlib.suppress(Exception):
                        await self.store.release([doc["_id"]], doc["locked_by"])
                if queue.empty():
                    self._room.set()

    async def _release_held(self) -> None:
        by_token: dict[str, list[str]] = {}
        for key, token in self._held.items():
            by_token.setdefault(token, []).append(key)
        self._held = {}
        for token, keys in by_token.items():
            await self.store.release(keys, token)

    async def _deliver_claimed(self, doc: Document) -> str:
        """Sends one claimed delivery and records its outcome."""
        key, channel = doc["_id"], doc["channel"]
        try:
            if channel == "email":
                async with self.mailer.connection() as connection:
                    self._held.pop(key, None)  # from here on it is this send's
                    outcome = await self._send(doc, connection)
            else:
                self._held.pop(key, None)
                outcome = await self._send(doc, None)
        except NotCommitted:
            log.warning("claim lost before the message was handed over (lease ran out?); not sent", delivery=key)
            return "taken"
        except DeliveryError as exc:
            if self._held.pop(key, None) is not None:  # could not even get a connection: nothing was sent
                log.warning("provider not reachable; delivery goes back to the queue", error=exc.reason)
                self._provider_pause = asyncio.get_running_loop().time() + min(5.0, self.settings.worker_poll_seconds)
                await self.store.release([key], doc["locked_by"])
                return "released"
            return await self._failed(doc, exc)
        sent_at = self.now()
        event = self.runtime.new_event(
            NotificationSent(
                notification_id=key,
                cause_event_id=doc["cause_event_id"],
                cause_type=doc["cause_type"],
                kind=doc["kind"],
                channel=channel,
                sent_at=sent_at,
                segments=outcome.get("segments"),
            ),
            subject=key,
            correlation_id=doc.get("correlation_id"),
        )
        record = {**doc, "status": "sent", "sent_at": sent_at, **outcome, **outbox_event(event)}
        if doc.get("erase_after_send"):  # sent: the log keeps that it was, not to whom (in the same insert)
            record.update(address="(poistettu)", recipient_name="", context={}, erased=True)
        recorded = await self._outcomes.submit(record)
        NOTIFICATIONS.labels("notify", channel, "sent").inc()
        if not recorded:
            log.error("sent, but its outcome was in the log already", delivery=key)
        return "sent"

    async def _write_outcomes(self, records: list[Document]) -> list[bool]:
        """The write after the provider answered must not be lost to a passing store hiccup (a busy SQLite
        under FerretDB, a primary election): retried briefly, as the messages are already out. A retry after
        a partly applied write finds those records in the log already and leaves them."""
        recorded: set[str] = set()
        for attempt in range(6):
            try:
                recorded |= await self.store.finish_many(records)
                break
            except PyMongoError as exc:
                if attempt == 5:
                    raise
                log.warning("recording outcomes failed; retrying", error=repr(exc), attempt=attempt)
                await asyncio.sleep(0.05 * 2**attempt)
        self._fresh_events += [
            {"_id": r["_id"], "event": r["event"]} for r in records if r["_id"] in recorded and "event" in r
        ]
        self._events_wake.set()
        return [r["_id"] in recorded for r in records]

    async def _write_marks(self, docs: list[Document]) -> list[bool]:
        marked = await self.store.commit_many(docs, self.now())
        return [d["_id"] in marked for d in docs]

    async def _context(self, doc: Document) -> Document:
        context = dict(doc.get("context") or {})
        if doc.get("fanout_id"):
            fanout_id = doc["fanout_id"]
            if fanout_id not in self._fanout_contexts:
                fanout = await self.store.fanout(fanout_id)
                self._fanout_contexts[fanout_id] = (fanout or {}).get("context") or {}
            context = {**self._fanout_contexts[fanout_id], **context}
        return context

    async def _send(self, doc: Document, connection: Any) -> Document:
        """Renders and hands the message to the provider. Returns fields to record with "sent"."""
        context = {**self.common_context(), **await self._context(doc)}
        kind, language, channel, address = doc["kind"], doc["language"], doc["channel"], doc["address"]
        try:
            if channel == "email":
                unsubscribe = self.links.unsubscribe_url(address, doc.get("topic"), language)
                context.update(
                    unsubscribe_url=unsubscribe, preferences_url=self.links.preferences_url(address, language)
                )
                rendered = self.renderer.email(kind, language, context)
                mid = message_id(doc["_id"], self.settings.mail_domain)
                message = email_bytes(
                    rendered=rendered,
                    sender=self.settings.mail_from,
                    to=address,
                    to_name=doc.get("recipient_name") or None,
                    message_id=mid,
                    delivery_key=doc["_id"],
                    unsubscribe_url=unsubscribe,
                    unsubscribe_mailto=None,
                    date=self.now(),
                    ics=self._calendar(doc, context),
                )
            else:
                rendered_sms = self.renderer.sms(kind, language, context)
        except DeliveryError:
            raise
        except Exception as exc:  # a template that cannot render this data will not render it next time either
            log.exception("message could not be rendered", kind=kind, language=language)
            raise DeliveryError(f"render failed: {exc!r}", permanent=True) from exc
        if channel == "email":
            async def committing() -> None:
                # the point of no return: before it, a crash provably sent nothing (recovery resends); after
                # it, the outcome at the server is unknown for the time of one DATA exchange. Only a mark
                # written under this claim lets the DATA go (a claim lost to recovery sends nothing).
                if not await self._marks.submit(doc):
                    raise NotCommitted(doc["_id"])

            result: SendResult = await connection.send(message, before_data=committing)
            return {
                "message_id": mid,
                "provider_id": result.provider_id,
                "language_used": rendered.language,
                "fallback": rendered.fallback,
                "subject": rendered.subject,
            }
        if not await self._marks.submit(doc):  # the SMS' point of no return: right before the one POST
            raise NotCommitted(doc["_id"])
        result = await self.sms.send(address, rendered_sms.text)
        return {
            "provider_id": result.provider_id,
            "segments": result.segments or rendered_sms.segments,
            "encoding": rendered_sms.encoding,
            "language_used": rendered_sms.language,
            "fallback": rendered_sms.fallback,
        }

    def _calendar(self, doc: Document, context: Document) -> str | None:
        if doc["kind"] != "registration-confirmation" or context.get("status") != "confirmed":
            return None
        starts = datetime.fromisoformat(context["starts_at"])
        ends = datetime.fromisoformat(context["ends_at"]) if context.get("ends_at") else None
        return ics.calendar(
            uid=f"{context.get('scheduled_event_id', doc['_id'])}@{self.settings.mail_domain}",
            title=context["event_title"],
            starts_at=starts,
            ends_at=ends,
            location=context.get("place") or context.get("online_url"),
            description=context.get("description") or "",
            url=context.get("online_url"),
            organizer_email=self.runtime.region.contact_email,
            stamp=self.now(),
        )

    async def _failed(self, doc: Document, exc: DeliveryError) -> str:
        settings, store = self.settings, self.store
        owner, key, now = doc["locked_by"], doc["_id"], self.now()
        attempts = int(doc.get("attempts", 1))
        if not exc.permanent and attempts < settings.max_attempts:
            due = now + retry_delay(attempts, settings.retry_base_seconds, settings.retry_max_seconds)
            if doc["channel"] == "sms":
                due = next_allowed(due, settings.quiet_start_hour, settings.quiet_end_hour)
            await store.mark_retry(key, owner, due_at=due, error=exc.reason)
            NOTIFICATIONS.labels("notify", doc["channel"], "retried").inc()
            log.warning("delivery failed; will retry", reason=exc.reason, attempts=attempts, due_at=due.isoformat())
            return "retry"
        if exc.suppress:
            await store.suppress(doc["channel"], doc["address"], exc.reason, now)
        event = self.runtime.new_event(
            NotificationFailed(
                notification_id=key,
                cause_event_id=doc["cause_event_id"],
                cause_type=doc["cause_type"],
                kind=doc["kind"],
                channel=doc["channel"],
                failed_at=now,
                permanent=exc.permanent,
                reason=exc.reason[:1000],
            ),
            subject=key,
            correlation_id=doc.get("correlation_id"),
        )
        await self._outcomes.submit(
            {
                **doc,
                "status": "failed",
                "failed_at": now,
                "permanent": exc.permanent,
                "last_error": exc.reason[:1000],
                **outbox_event(event),
            }
        )
        log.error("delivery failed for good", reason=exc.reason, permanent=exc.permanent, attempts=attempts)
        NOTIFICATIONS.labels("notify", doc["channel"], "failed").inc()
        return "failed"

    # -- the outbox relay of notification-sent / -failed ----------------------------------------------------------
    # The events are in the log (the outbox) before anyone publishes them. The replica that wrote them publishes
    # them straight from memory right after the write, so the log is not read for every few mails (on FerretDB
    # v1 every query that is not a plain `_id` look-up reads the whole collection). A poll of the log picks up
    # anything left unpublished: by a replica that died, or while NATS was away.
    async def _publish(self, docs: Sequence[Document]) -> int:
        """Publishes concurrently (up to 100 acknowledgements awaited at once, not one by one), then marks what
        JetStream acknowledged as published. Raises the first failure after marking the rest."""
        published: list[str] = []
        failure: BaseException | None = None
        try:
            for start in range(0, len(docs), 100):
                chunk = docs[start : start + 100]
                results = await asyncio.gather(
                    *(
                        self.runtime.publisher(d["event"]["subject"], d["event"]["body"].encode(), d["event"]["id"])
                        for d in chunk
                    ),
                    return_exceptions=True,
                )
                for doc, result in zip(chunk, results, strict=True):
                    if isinstance(result, BaseException):
                        failure = failure or result
                    else:
                        published.append(doc["_id"])
                if failure is not None:
                    break
        finally:
            if published:
                await self.store.events_published(published)
        if failure is not None:
            raise failure
        return len(published)

    async def relay_events_once(self, limit: int = 500) -> int:
        return await self._publish(await self.store.pending_events(limit))

    async def run_event_relay(self, runtime: Runtime) -> None:
        """Publishes with Nats-Msg-Id = event id (a double publish, e.g. by the poll and this replica, is dropped
        by JetStream), then marks them published. NATS being away only delays it."""
        idle = max(self.settings.outbox_poll_seconds, 5.0)
        delay = idle
        scan = True  # the first pass reads the log: what a previous run left unpublished
        while True:
            try:
                if self._fresh_events:
                    batch, self._fresh_events = self._fresh_events[:500], self._fresh_events[500:]
                    scan = True  # should this fail, the poll of the log takes them
                    await self._publish(batch)
                    scan = False
                    if not self._fresh_events:
                        await asyncio.sleep(0.2)  # while a fan-out sends: batches of dozens, not of one or two
                    continue
                if scan:
                    scan = await self.relay_events_once() >= 500
                    if scan:
                        continue  # a backlog
                delay = idle
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("notification events not published yet; will retry", error=repr(exc))
                delay = min(delay * 2, 5.0)
                scan = True
            self._events_wake.clear()
            try:
                await asyncio.wait_for(self._events_wake.wait(), delay)
            except TimeoutError:
                scan = True

    # -- crash recovery ----------------------------------------------------------------------------------------
    async def settle_stale(self) -> int:
        settled = 0
        stale = await self.store.stale_sending(self.now())
        self._stale_left = bool(stale)
        for doc in stale:
            if await self.store.in_log(doc["_id"]):  # died between recording the outcome and leaving the queue
                await self.store.drop_from_queue(doc["_id"])
                continue
            if await self.store.settle_stale(
                doc["_id"], now=self.now(), policy=self.settings.unconfirmed_policy, seen_lock=doc["locked_until"]
            ):
                settled += 1
                log.warning(
                    "delivery found in 'sending' after its lease ran out: outcome at the provider unknown",
                    delivery=doc["_id"],
                    policy=self.settings.unconfirmed_policy,
                )
        if settled and self.settings.unconfirmed_policy == "resend":
            self.wake()
        return settled

    async def run_recovery(self, runtime: Runtime) -> None:
        interval = max(0.5, min(30.0, self.settings.delivery_lease_seconds / 4))
        while True:
            try:
                if not await self.settle_stale() and not self._stale_left:
                    # claims and marks of finished attempts decide nothing any more; kept twice the lease (and
                    # never while a delivery in "sending" awaits its verdict, which needs its mark)
                    cutoff = self.now() - max(2 * self._lease(), timedelta(minutes=10))
                    await self.store.forget_claims(cutoff)
                    await self.store.forget_commits(cutoff)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("recovery pass failed", error=repr(exc))
            await asyncio.sleep(interval)

    # -- fan-out -----------------------------------------------------------------------------------------------
    async def run_fanouts(self, runtime: Runtime) -> None:
        while True:
            try:
                busy = await self.expand_fanouts_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("fan-out pass failed; will retry", error=repr(exc))
                busy = False
            if not busy:
                self._fanout_wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._fanout_wake.wait(), max(1.0, self.settings.worker_poll_seconds))

    async def expand_fanouts_once(self) -> bool:
        """Expands one batch of one fan-out. Returns True when there may be more to do right away."""
        owner, store, settings = self.runtime.instance_id, self.store, self.settings
        fanout = await store.claim_fanout(now=self.now(), lease=timedelta(seconds=60), owner=owner)
        if fanout is None:
            return False
        fanout_id = fanout["_id"]
        waiting = await store.queued_count({"fanout_id": fanout_id, "status": "pending"})
        if waiting >= settings.fanout_ahead:
            return False  # expansion runs only a little ahead of sending
        batch = await store.subscribers_after(fanout.get("cursor"), settings.fanout_batch)
        if not batch:
            await store.finish_fanout(fanout_id, owner, self.now())
            log.info("fan-out expanded", fanout=fanout_id, queued=fanout.get("queued", 0))
            return True
        cause = Envelope(
            id=fanout["cause_event_id"],
            source="/koonto/notify",
            type=fanout["cause_type"],
            subject=fanout_id,
            time=fanout["created_at"],
            correlationid=fanout.get("correlation_id") or fanout["cause_event_id"],
            region=fanout.get("region") or self.runtime.region.code,
            data={},
        )
        docs = []
        for subscriber in batch:
            consent = ((subscriber.get("topics") or {}).get(fanout["topic"]) or {}).get("consent", False)
            if not consent:
                continue
            wanted = fanout.get("municipality")
            if wanted and subscriber.get("municipality") not in (None, wanted):
                continue
            docs.append(
                self.plan(
                    cause,
                    kind=fanout["kind"],
                    channel="email",
                    address=subscriber["email"],
                    language=subscriber.get("language") or "fi",
                    name=None,
                    context={},
                    recipient_ref=subscriber["_id"],
                    fanout_id=fanout_id,
                )
            )
        queued = await self.enqueue(docs)
        await store.advance_fanout(fanout_id, owner, cursor=batch[-1]["_id"], scanned=len(batch), queued=queued)
        return True

    # -- the daily digest ----------------------------------------------------------------------------------------
    async def run_digest(self, runtime: Runtime) -> None:
        while True:
            try:
                await self.digest_if_due()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("digest pass failed; will retry", error=repr(exc))
            await asyncio.sleep(self.settings.jobs_poll_seconds)

    async def digest_if_due(self) -> int:
        """At or after 08:00 Helsinki, once a day across replicas: a lease picks one replica, and the digest's
        delivery keys (day, staff address) make a second run by anyone a no-op."""
        now = self.now()
        local = now.astimezone(HELSINKI)
        if local.hour < self.settings.digest_hour:
            return 0
        day = local.date()
        if await self.store.digest_started(day.isoformat()):
            return 0
        if not await self.runtime.leases.acquire("notify-daily-digest", timedelta(minutes=5)):
            return 0
        until = datetime.combine(day, time(self.settings.digest_hour), tzinfo=HELSINKI)
        since = until - timedelta(days=1)
        cases = await self.store.cases_opened(since, until)
        followups = await self.store.followups_received(since, until)
        cause = Envelope(
            id=f"digest-{day.isoformat()}",
            source="/koonto/notify",
            type="koonto.notify.daily-digest.v1",
            subject=day.isoformat(),
            time=now,
            correlationid=f"digest-{day.isoformat()}",
            region=self.runtime.region.code,
            data={},
        )
        docs = []
        for member in await self.store.staff():
            mine = [f for f in followups if member["staff_id"] in (f.get("recipient_staff_ids") or [])]
            if not cases and not mine:
                continue
            context = {
                "name": member.get("display_name") or "",
                "day": day,
                "cases": [
                    {k: c.get(k) for k in ("reference", "title", "organisation", "municipality", "opened_at")}
                    for c in cases
                ],
                "followups": [{k: f.get(k) for k in ("reference", "due_on", "note")} for f in mine],
                "workspace_url": self.settings.advisory_public_url,
            }
            docs.append(
                self.plan(
                    cause,
                    kind="staff-digest",
                    channel="email",
                    address=member["email"],
                    language=member.get("language") or "fi",
                    name=member.get("display_name"),
                    context=context,
                    recipient_ref=member["_id"],
                )
            )
        added = await self.enqueue(docs)
        await self.store.claim_digest_day(day.isoformat(), self.runtime.instance_id, now)
        log.info("daily digest queued", day=day.isoformat(), messages=len(docs), new=added)
        return len(docs)

    # -- jobs for the runtime --------------------------------------------------------------------------------------
    @property
    def jobs(self) -> list[Any]:
        return [self.run_worker, self.run_event_relay, self.run_recovery, self.run_fanouts, self.run_digest]

    async def close(self) -> None:
        if self._mailer is not None:
            await self._mailer.close()
            self._mailer = None
        if self._sms is not None:
            await self._sms.close()
            self._sms = None
