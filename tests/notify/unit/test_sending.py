"""Sending one delivery: claim -> send -> record, with the outcome event published through the shared relay."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from koonto.notify.domain.retry import DeliveryError
from koonto.notify.samples import sample
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.notify import NotificationFailed, NotificationSent
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope, idea_submitted

Document = dict[str, Any]


async def queue_one(notify: Notify, kind: str = "receipt", channel: str = "email", **fields: Any) -> Document:
    address = "+358401234567" if channel == "sms" else "maija@example.fi"
    doc = notify.container.planner.plan(
        envelope(idea_submitted()), kind=kind, channel=channel, address=address, language="fi", name="Maija",
        context=sample(kind), recipient_ref="contact:1", **fields,
    )
    await notify.container.planner.enqueue([doc])
    [queued] = await notify.queue()
    return queued


async def test_a_mail_is_sent_recorded_once_and_its_event_published(notify: Notify) -> None:
    doc = await queue_one(notify)
    assert await notify.container.sender.deliver(doc) == "sent"

    [message] = notify.mailer.sent
    assert message["To"].endswith("<maija@example.fi>") and message["List-Unsubscribe"]
    assert await notify.queue() == []
    [logged] = await notify.log()
    assert logged["status"] == "sent" and logged["attempts"] == 1 and logged["message_id"] == message["Message-ID"]
    [event] = await notify.published()
    assert event.type == NotificationSent.event_type() and event.subject == doc["_id"]
    assert event.correlationid == doc["correlation_id"] and event.data["notification_id"] == doc["_id"]
    # a second pass over the same (stale) candidate finds nothing to claim
    assert await notify.container.sender.deliver(doc) == "taken"
    assert len(notify.mailer.sent) == 1 and await notify.published() == []


async def test_a_suppressed_address_is_skipped_without_an_event(notify: Notify) -> None:
    doc = await queue_one(notify)
    await notify.container.store.records.suppress("email", "maija@example.fi", "bounced", notify.container.now())
    assert await notify.container.sender.deliver(doc) == "skipped"
    [logged] = await notify.log()
    assert logged["skip_reason"] == "suppressed" and notify.mailer.sent == []
    assert await notify.published() == []


async def test_an_announcement_without_consent_is_skipped(notify: Notify) -> None:
    doc = await queue_one(notify, kind="call-announcement")
    assert await notify.container.sender.deliver(doc) == "skipped"
    assert (await notify.log())[0]["skip_reason"] == "no-consent"


async def test_a_transient_failure_is_retried_later(notify: Notify) -> None:
    doc = await queue_one(notify)
    notify.mailer.failures.append(DeliveryError("451 try later", permanent=False))
    assert await notify.container.sender.deliver(doc) == "retry"
    [queued] = await notify.queue()
    assert queued["status"] == "pending" and queued["attempts"] == 1 and queued["last_error"] == "451 try later"
    assert queued["due_at"] > notify.container.now()
    assert "locked_by" not in queued and await notify.published() == []


async def test_a_hard_bounce_fails_for_good_suppresses_and_publishes_the_failure(notify: Notify) -> None:
    doc = await queue_one(notify)
    notify.mailer.failures.append(DeliveryError("550 no such user", permanent=True, suppress=True))
    assert await notify.container.sender.deliver(doc) == "failed"
    [logged] = await notify.log()
    assert logged["status"] == "failed" and logged["permanent"] is True
    assert await notify.container.store.records.is_suppressed("email", "maija@example.fi")
    [event] = await notify.published()
    assert event.type == NotificationFailed.event_type() and event.data["reason"] == "550 no such user"


async def test_the_last_attempt_fails_with_a_non_permanent_failure(notify: Notify) -> None:
    doc = await queue_one(notify)
    await notify.infra.store["delivery_queue"].update_one(
        {"_id": doc["_id"]}, {"$set": {"attempts": notify.container.settings.max_attempts - 1}}
    )
    notify.mailer.failures.append(DeliveryError("timeout", permanent=False))
    assert await notify.container.sender.deliver(doc) == "failed"
    [event] = await notify.published()
    assert event.data["permanent"] is False


async def test_an_sms_reached_in_the_quiet_hours_is_postponed_without_counting_an_attempt(notify: Notify) -> None:
    doc = await queue_one(notify, kind="status-update", channel="sms")
    notify.clock.set(datetime(2026, 11, 30, 21, 30, tzinfo=HELSINKI))
    assert await notify.container.sender.deliver(doc) == "postponed"
    [queued] = await notify.queue()
    assert queued["attempts"] == 0 and queued["postponed"] == "quiet-hours"
    assert queued["due_at"] == datetime(2026, 12, 1, 8, 0, tzinfo=HELSINKI)
    assert notify.sms.sent == []


async def test_an_sms_is_sent_with_its_segments(notify: Notify) -> None:
    doc = await queue_one(notify, kind="status-update", channel="sms")
    assert await notify.container.sender.deliver(doc) == "sent"
    [(to, body)] = notify.sms.sent
    assert to == "+358401234567" and body
    [logged] = await notify.log()
    assert logged["segments"] == 1 and logged["encoding"]
    [event] = await notify.published()
    assert event.data["segments"] == 1


async def test_the_erasure_confirmation_forgets_its_address_once_sent(notify: Notify) -> None:
    doc = await queue_one(notify, kind="erasure-confirmation", erase_after_send=True)
    assert await notify.container.sender.deliver(doc) == "sent"
    [logged] = await notify.log()
    assert logged["address"] == "(poistettu)" and logged["erased"] is True


async def test_a_delivery_not_due_yet_is_not_claimed(notify: Notify) -> None:
    doc = await queue_one(notify)
    notify.clock.set(notify.container.now() - timedelta(minutes=5))
    assert await notify.container.sender.deliver(doc) == "taken"
    assert notify.mailer.sent == []
