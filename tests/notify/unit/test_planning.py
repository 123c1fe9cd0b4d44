"""Planning: one delivery per (cause event, address, channel); SMS wait out the quiet hours; a planned
delivery that exists already, queued or in the log, is not planned again."""

from __future__ import annotations

from datetime import datetime

from koonto.notify.samples import sample
from koonto.notify.use_cases.planning import contact_channels
from koonto.shared.clock import HELSINKI
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope, idea_submitted

CONTACT = {"email": "Maija@Example.fi", "phone": "+358401234567", "channel": "sms", "language": "sv", "name": "M"}


def test_a_contact_is_reached_by_the_preferred_channel_and_the_receipt_also_by_mail() -> None:
    assert contact_channels(CONTACT, "status-update") == [("sms", "+358401234567")]
    assert contact_channels(CONTACT, "receipt", always_email=True) == [
        ("email", "Maija@Example.fi"), ("sms", "+358401234567"),
    ]
    assert contact_channels({**CONTACT, "phone": None}, "status-update") == [("email", "Maija@Example.fi")]


async def test_the_same_event_planned_twice_is_queued_once(notify: Notify) -> None:
    cause = envelope(idea_submitted())
    planner = notify.container.planner
    docs = planner.plan_for_contact(
        cause, CONTACT, kind="receipt", context=sample("receipt"), recipient_ref="c", always_email=True
    )
    assert [d["channel"] for d in docs] == ["email", "sms"]
    assert docs[0]["address"] == "maija@example.fi" and docs[0]["language"] == "sv"
    assert docs[0]["_id"].startswith(f"{cause.id}:email:")

    assert await planner.enqueue(docs) == 2
    assert notify.container.signals.queued.is_set()
    assert await planner.enqueue(docs) == 0
    assert len(await notify.queue()) == 2


async def test_a_delivery_already_in_the_log_is_not_queued_again(notify: Notify) -> None:
    cause = envelope(idea_submitted())
    [doc] = notify.container.planner.plan_for_contact(
        cause, {**CONTACT, "channel": "email"}, kind="receipt", context=sample("receipt"), recipient_ref="c"
    )
    await notify.infra.store["deliveries"].insert_one({**doc, "status": "sent"})
    assert await notify.container.planner.enqueue([doc]) == 0
    assert await notify.queue() == []


async def test_an_sms_planned_in_the_evening_is_due_at_eight(notify: Notify) -> None:
    notify.clock.set(datetime(2026, 11, 30, 22, 30, tzinfo=HELSINKI))
    planner = notify.container.planner
    docs = planner.plan_for_contact(
        envelope(idea_submitted()), CONTACT, kind="receipt", context={}, recipient_ref="c", always_email=True
    )
    mail, sms = docs
    assert "not_before" not in mail
    assert sms["due_at"] == sms["not_before"] == datetime(2026, 12, 1, 8, 0, tzinfo=HELSINKI)


async def test_an_email_to_an_address_outside_the_directory(notify: Notify) -> None:
    added = await notify.container.planner.enqueue_email(
        envelope(idea_submitted()), kind="erasure-confirmation", address="Gone@Example.fi", language="fi",
        context={}, recipient_ref="erased", erase_after_send=True,
    )
    [doc] = await notify.queue()
    assert added == 1 and doc["address"] == "gone@example.fi" and doc["erase_after_send"] is True
    assert doc["status"] == "pending" and doc["attempts"] == 0
