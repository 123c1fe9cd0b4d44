"""The notify service layer: plans deliveries from events and works the delivery queue.

Delivery guarantee (see services/notify/README.md): one delivery document per (cause event, address,
channel), keyed by that triple; `pending -> sending -> sent | failed` (or `skipped`, `cancelled`,
`unconfirmed`). "sending" is written (the claim) right before the provider is called and "sent" right after
it answered; the notification-sent / -failed event rides in the same write (embedded outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from pymongo.errors import PyMongoError

from koonto.notify.channels.mail import MailSender, SmtpMailer
from koonto.notify.channels.sms import SmsSender, TwilioSms
from koonto.notify.clock import Clock, SystemClock
from koonto.notify.compose import email_message
from koonto.notify.domain import ics
from koonto.notify.domain.keys import address_hash, delivery_key, message_id, normalise_address
from koonto.notify.domain.kinds import KINDS, may_send
from koonto.notify.domain.quiet_hours import in_quiet_hours, next_allowed
from koonto.notify.domain.retry import DeliveryError, SendResult, retry_delay
from koonto.notify.links import Links
from koonto.notify.render import Renderer
from koonto.notify.settings import NotifySettings
from koonto.notify.store import NotifyStore, jsonable
from koonto.shared.aio import wait_event
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
        self._fanout_contexts: dict[str, Document] = {}
        self.limiter = RateLimiter(settings.send_rate_per_second)

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
    async def run_worker(self, runtime: Runtime) -> None:
        """Claims due deliveries and sends them at the configured rate, several at a time; never blocks the
        consumers (they only write deliveries). On stop, sends already under way are let finish."""
        inflight: set[asyncio.Task[None]] = set()
        slots = asyncio.Semaphore(self.settings.smtp_pool_size)
        idle_delay = self.settings.worker_poll_seconds
        try:
            while True:
                now = self.now()
                docs = await self.store.due(now, self.settings.worker_batch)
                if len(docs) < self.settings.worker_batch:
                    self._fanout_wake.set()  # the queue runs low: let the fan-out expand its next batch
                if not docs:
                    self._wake.clear()
                    await wait_event(self._wake, idle_delay)
                    continue
                checks = await self._prefetch_checks(docs)
                for doc in docs:
                    await self.limiter.wait()
                    await slots.acquire()
                    task = asyncio.create_task(self._deliver_guarded(doc, checks))
                    inflight.add(task)

                    def _done(t: asyncio.Task[None]) -> None:
                        inflight.discard(t)
                        slots.release()

                    task.add_done_callback(_done)
                # let this batch finish claiming before the next query, so it is not fetched twice
                while len(inflight) > self.settings.smtp_pool_size:
                    await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                if inflight:
                    await asyncio.wait(inflight)
                self._events_wake.set()  # the relay publishes this batch's notification-sent/-failed
        except asyncio.CancelledError:
            if inflight:
                await asyncio.wait(inflight, timeout=15)
            with contextlib.suppress(Exception):
                await self.close()
            raise

    async def _prefetch_checks(self, docs: Sequence[Document]) -> Document:
        """Suppression and consent of a whole batch in two queries, not two per message."""
        hashes = list({d["address_hash"] for d in docs})
        suppressed = {
            s["_id"]
            async for s in self.store.suppressions.find(
                {"_id": {"$in": [f"{d['channel']}:{d['address_hash']}" for d in docs]}}, {"_id": 1}
            )
        }
        emails = [d["address"] for d in docs if d["channel"] == "email" and d.get("topic")]
        consents = await self.store.consents_of(emails) if emails else {}
        return {"suppressed": suppressed, "consents": consents, "hashes": hashes}

    async def _deliver_guarded(self, doc: Document, checks: Document) -> None:
        with log_context(
            delivery=doc["_id"], event_id=doc.get("cause_event_id"), correlation_id=doc.get("correlation_id")
        ):
            try:
                await self.deliver(doc, checks)
            except asyncio.CancelledError:
                raise
            except DeliveryError as exc:  # could not even get a connection: nothing was claimed
                log.warning("provider not reachable; delivery stays queued", error=exc.reason)
                await asyncio.sleep(min(5.0, self.settings.worker_poll_seconds))
            except Exception:
                log.exception("delivery crashed; it will be settled when its lease runs out")

    async def deliver(self, doc: Document, checks: Document | None = None) -> str:
        checks = checks or await self._prefetch_checks([doc])
        if doc["channel"] == "email":
            async with self.mailer.connection() as connection:
                return await self._claim_and_send(doc, checks, connection)
        return await self._claim_and_send(doc, checks, None)

    async def _claim_and_send(self, candidate: Document, checks: Document, connection: Any) -> str:
        settings, store = self.settings, self.store
        owner = self.runtime.instance_id
        now = self.now()
        kind = KINDS[candidate["kind"]]
        key = candidate["_id"]
        suppressed = f"{candidate['channel']}:{candidate['address_hash']}" in checks["suppressed"]
        consents = checks["consents"].get(candidate["address"]) if kind.topic else None
        allowed, reason = may_send(kind, consents, suppressed=suppressed)
        doc = await store.claim(key, now=now, lease=timedelta(seconds=settings.delivery_lease_seconds), owner=owner)
        if doc is None:
            return "taken"  # another replica (or an earlier pass) has it
        if not allowed:
            await self._settle(lambda: store.mark_skipped(doc, owner, reason=reason))
            NOTIFICATIONS.labels("notify", doc["channel"], "skipped").inc()
            return "skipped"
        channel = doc["channel"]
        if channel == "sms" and in_quiet_hours(now, settings.quiet_start_hour, settings.quiet_end_hour):
            await store.postpone(
                key,
                owner,
                due_at=next_allowed(now, settings.quiet_start_hour, settings.quiet_end_hour),
                reason="quiet-hours",
            )
            return "postponed"
        try:
            outcome = await self._send(doc, connection)
        except DeliveryError as exc:
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
        recorded = await self._settle(lambda: store.mark_sent(doc, owner, now=sent_at, fields=outcome, event=event))
        NOTIFICATIONS.labels("notify", channel, "sent").inc()
        if not recorded:
            log.error("sent, but the delivery was no longer ours to record (lease ran out?)", delivery=key)
        if doc.get("erase_after_send"):
            await store.erase_address_after_send(key)
        return "sent"

    async def _settle(self, write: Callable[[], Awaitable[Any]]) -> Any:
        """The write after the provider answered must not be lost to a passing store hiccup (a busy SQLite
        under FerretDB, a primary election): retried briefly, as the message is already out."""
        for attempt in range(6):
            try:
                return await write()
            except PyMongoError as exc:
                if attempt == 5:
                    raise
                log.warning("recording the outcome failed; retrying", error=repr(exc), attempt=attempt)
                await asyncio.sleep(0.05 * 2**attempt)
        return None

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
                message = email_message(
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
                # it, the outcome at the server is unknown for the time of one DATA exchange
                await self.store.mark_committing(doc["_id"], self.runtime.instance_id)

            result: SendResult = await connection.send(message, before_data=committing)
            return {
                "message_id": mid,
                "provider_id": result.provider_id,
                "language_used": rendered.language,
                "fallback": rendered.fallback,
                "subject": rendered.subject,
            }
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
        owner, key, now = self.runtime.instance_id, doc["_id"], self.now()
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
        await self._settle(
            lambda: store.mark_failed(doc, owner, now=now, error=exc.reason, permanent=exc.permanent, event=event)
        )
        log.error("delivery failed for good", reason=exc.reason, permanent=exc.permanent, attempts=attempts)
        NOTIFICATIONS.labels("notify", doc["channel"], "failed").inc()
        return "failed"

    # -- the outbox relay of notification-sent / -failed ----------------------------------------------------------
    async def relay_events_once(self, limit: int = 500) -> int:
        docs = await self.store.pending_events(limit)
        published: list[Document] = []
        try:
            for doc in docs:
                event = doc["event"]
                await self.runtime.publisher(event["subject"], event["body"].encode(), event["id"])
                published.append(doc)
        finally:
            if published:
                await self.store.events_published([d["_id"] for d in published])
        return len(published)

    async def run_event_relay(self, runtime: Runtime) -> None:
        """Publishes with Nats-Msg-Id = event id (a double publish by two replicas is dropped by JetStream),
        then marks the batch published in one write. NATS being away only delays it."""
        # this replica's sends wake it; the poll only picks up what a replica that died left behind, and each
        # poll reads the log, so it is not frequent
        idle = max(self.settings.outbox_poll_seconds, 5.0)
        delay = idle
        while True:
            try:
                published = await self.relay_events_once()
                delay = idle
                if published:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("notification events not published yet; will retry", error=repr(exc))
                delay = min(delay * 2, 5.0)
            self._events_wake.clear()
            await wait_event(self._events_wake, delay)

    # -- crash recovery ----------------------------------------------------------------------------------------
    async def settle_stale(self) -> int:
        settled = 0
        for doc in await self.store.stale_sending(self.now()):
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
                await self.settle_stale()
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
                await wait_event(self._fanout_wake, max(1.0, self.settings.worker_poll_seconds))

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
