"""Sending one delivery: check -> claim -> send -> record.

"sending" is written (the claim) right before the provider is called and "sent" right after it answered; the
notification-sent / -failed event rides in the same write (the log document's event field), and is handed to
the shared relay as soon as that write returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import PyMongoError

from koonto.notify.channels import Channels
from koonto.notify.domain.kinds import KINDS, may_send
from koonto.notify.domain.quiet_hours import in_quiet_hours, next_allowed
from koonto.notify.domain.retry import DeliveryError, SendResult, retry_delay
from koonto.notify.use_cases.core import Core
from koonto.notify.use_cases.messages import Composer
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.notify import NotificationFailed, NotificationSent
from koonto.shared.logs import get_logger
from koonto.shared.metrics import NOTIFICATIONS
from koonto.shared.mongo import Document
from koonto.shared.region import using_region

log = get_logger(__name__)


@dataclass(frozen=True)
class Checks:
    """Suppression and consent of a batch of deliveries, read in two queries; and the batch's deliveries whose
    outcome is recorded, to leave the queue together (`Deliveries.leave_queue`)."""

    suppressed: set[str]
    consents: dict[str, dict[str, bool]]
    recorded: list[str] = field(default_factory=list)
    paused: set[str] = field(default_factory=set)  # fan-outs (campaigns) staff paused: their deliveries wait


class Sender:
    def __init__(self, core: Core, channels: Channels, composer: Composer) -> None:
        self.core = core
        self.settings = core.settings
        self.store = core.store
        self.deliveries = core.store.deliveries
        self.owner = core.owner
        self.channels = channels
        self.composer = composer

    async def checks(self, docs: Sequence[Document]) -> Checks:
        """Suppression and consent of a whole batch in two queries, not two per message."""
        suppressed = await self.store.records.suppressed_among([f"{d['channel']}:{d['address_hash']}" for d in docs])
        emails = [d["address"] for d in docs if d["channel"] == "email" and d.get("topic")]
        consents = await self.store.recipients.consents_of(emails) if emails else {}
        fanouts = {d["fanout_id"] for d in docs if d.get("fanout_id")}
        paused = await self.store.fanouts.paused_among(fanouts) if fanouts else set()
        return Checks(suppressed, consents, paused=paused)

    async def deliver(self, doc: Document, checks: Checks | None = None) -> str:
        """Returns what became of it: sent, skipped, postponed, retry, failed, or taken (by someone else). With
        the `checks` of a batch, its queue entry leaves the queue with the batch's (`settle_batch`)."""
        alone = checks is None
        checks = checks or await self.checks([doc])
        try:
            if doc["channel"] == "email":
                async with self.channels.mailer.connection() as connection:
                    return await self._claim_and_send(doc, checks, connection)
            return await self._claim_and_send(doc, checks, None)
        finally:
            if alone:
                await self.settle_batch(checks)

    async def settle_batch(self, checks: Checks) -> None:
        """The queue entries of the batch's recorded outcomes go in one write (one per delivery before)."""
        keys, checks.recorded[:] = list(checks.recorded), []
        await self._settle(lambda: self.deliveries.leave_queue(keys, self.owner))

    async def _claim_and_send(self, candidate: Document, checks: Checks, connection: Any) -> str:
        settings, now, key = self.settings, self.core.now(), candidate["_id"]
        kind = KINDS[candidate["kind"]]
        suppressed = f"{candidate['channel']}:{candidate['address_hash']}" in checks.suppressed
        topic = candidate.get("topic") or kind.topic
        consents = checks.consents.get(candidate["address"]) if topic else None
        allowed, reason = may_send(kind, consents, suppressed=suppressed, topic=topic)
        if candidate.get("fanout_id") in checks.paused:
            await self.deliveries.hold(key)  # out of the due list until the campaign is resumed
            return "held"
        lease = timedelta(seconds=settings.delivery_lease_seconds)
        doc = await self.deliveries.claim(candidate, now=now, lease=lease, owner=self.owner)
        if doc is None:
            return "taken"  # another replica (or an earlier pass) has it
        with using_region(doc.get("region")):  # sent as the region it is about: sender, footer, its events
            return await self._send_claimed(doc, (allowed, reason), checks, connection, now)

    async def _send_claimed(
        self, doc: Document, verdict: tuple[bool, str], checks: Checks, connection: Any, now: datetime
    ) -> str:
        settings, key, (allowed, reason) = self.settings, doc["_id"], verdict
        if not allowed:
            await self._settle(
                lambda: self.deliveries.mark_skipped(doc, self.owner, reason=reason, leaving=checks.recorded)
            )
            NOTIFICATIONS.labels("notify", doc["channel"], "skipped").inc()
            return "skipped"
        channel = doc["channel"]
        if channel == "sms" and in_quiet_hours(now, settings.quiet_start_hour, settings.quiet_end_hour):
            due = next_allowed(now, settings.quiet_start_hour, settings.quiet_end_hour)
            await self.deliveries.postpone(key, self.owner, due_at=due, reason="quiet-hours")
            return "postponed"
        try:
            outcome = await self._send(doc, connection)
        except DeliveryError as exc:
            return await self._failed(doc, exc, checks.recorded)
        await self._record_sent(doc, outcome, checks.recorded)
        return "sent"

    async def _send(self, doc: Document, connection: Any) -> Document:
        """Renders and hands the message to the provider. Returns fields to record with "sent"."""
        if doc["channel"] == "email":
            email = await self.composer.email(doc, self.core.now())

            async def committing() -> None:
                # the point of no return: before it, a crash provably sent nothing (recovery resends); after
                # it, the outcome at the server is unknown for the time of one DATA exchange. If the mark itself
                # fails (a busy store timing out), DATA is not sent: a retry, not an unknown outcome.
                try:
                    await self.deliveries.mark_committing(doc["_id"], self.owner)
                except PyMongoError as exc:
                    reason = f"not sent: the store did not record the send ({exc!r})"
                    raise DeliveryError(reason, permanent=False) from exc

            result: SendResult = await connection.send(email.message, before_data=committing)
            return {
                "message_id": email.message_id,
                "provider_id": result.provider_id,
                "language_used": email.rendered.language,
                "fallback": email.rendered.fallback,
                "subject": email.rendered.subject,
            }
        rendered = await self.composer.sms(doc)
        result = await self.channels.sms.send(doc["address"], rendered.text, sender=self.composer.sms_sender())
        return {
            "provider_id": result.provider_id,
            "segments": result.segments or rendered.segments,
            "encoding": rendered.encoding,
            "language_used": rendered.language,
            "fallback": rendered.fallback,
        }

    def _event(self, doc: Document, data: type[NotificationSent | NotificationFailed], **fields: Any) -> Envelope:
        """notification-sent / -failed about this delivery, in the correlation of its cause."""
        about = {k: doc[k] for k in ("cause_event_id", "cause_type", "kind", "channel")}
        return self.core.infra.new_event(
            data(notification_id=doc["_id"], **about, **fields),
            subject=doc["_id"],
            correlation_id=doc.get("correlation_id"),
        )

    async def _record_sent(self, doc: Document, outcome: Document, leaving: list[str]) -> None:
        key, sent_at = doc["_id"], self.core.now()
        event = self._event(doc, NotificationSent, sent_at=sent_at, segments=outcome.get("segments"))
        recorded = await self._settle(
            lambda: self.deliveries.mark_sent(
                doc, self.owner, now=sent_at, fields=outcome, event=event, leaving=leaving
            )
        )
        NOTIFICATIONS.labels("notify", doc["channel"], "sent").inc()
        if recorded:
            self.core.infra.events_written(event)
        else:
            log.error("sent, but the delivery was no longer ours to record (lease ran out?)", delivery=key)
        if doc.get("erase_after_send"):
            await self.deliveries.erase_address_after_send(key)

    async def _failed(self, doc: Document, exc: DeliveryError, leaving: list[str]) -> str:
        settings, key, now = self.settings, doc["_id"], self.core.now()
        attempts = int(doc.get("attempts", 1))
        if not exc.permanent and attempts < settings.max_attempts:
            due = now + retry_delay(attempts, settings.retry_base_seconds, settings.retry_max_seconds)
            if doc["channel"] == "sms":
                due = next_allowed(due, settings.quiet_start_hour, settings.quiet_end_hour)
            await self.deliveries.mark_retry(key, self.owner, due_at=due, error=exc.reason)
            NOTIFICATIONS.labels("notify", doc["channel"], "retried").inc()
            log.warning("delivery failed; will retry", reason=exc.reason, attempts=attempts, due_at=due.isoformat())
            return "retry"
        if exc.suppress:
            await self.store.records.suppress(doc["channel"], doc["address"], exc.reason, now)
        event = self._event(doc, NotificationFailed, failed_at=now, permanent=exc.permanent, reason=exc.reason[:1000])
        recorded = await self._settle(
            lambda: self.deliveries.mark_failed(
                doc, self.owner, now=now, error=exc.reason, permanent=exc.permanent, event=event, leaving=leaving
            )
        )
        if recorded:
            self.core.infra.events_written(event)
        log.error("delivery failed for good", reason=exc.reason, permanent=exc.permanent, attempts=attempts)
        NOTIFICATIONS.labels("notify", doc["channel"], "failed").inc()
        return "failed"

    async def _settle(self, write: Callable[[], Awaitable[Any]]) -> Any:
        """The write after the provider answered must not be lost to a passing store hiccup (a busy store, a
        primary election): retried briefly, as the message is already out."""
        for attempt in range(6):
            try:
                return await write()
            except PyMongoError as exc:
                if attempt == 5:
                    raise
                log.warning("recording the outcome failed; retrying", error=repr(exc), attempt=attempt)
                await asyncio.sleep(0.05 * 2**attempt)
        return None
