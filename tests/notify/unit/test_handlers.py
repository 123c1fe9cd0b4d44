"""The handlers, each `on_<event>(event, ctx, deps)`, on the in-memory container: what each event makes notify
remember and which deliveries it plans; an event that overtook the one it depends on is retried (raises)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from koonto.notify.domain.errors import ContactNotKnownYet, EventNotKnownYet
from koonto.notify.handlers import announcements, ideas, people, staff
from koonto.shared.bus import EventContext
from koonto.shared.contracts import EventData
from koonto.shared.contracts.advisory import CallClosingSoon, EventScheduled, StaffUpdated, StageChanged
from koonto.shared.contracts.intake import Contact, ErasureRequested, RegistrationReceived
from koonto.shared.contracts.notify import NotificationSent
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope, example_instance, idea_submitted

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def ctx(event: EventData) -> EventContext:
    return EventContext(envelope=envelope(event), attempt=1, region="pohjois-savo", service="notify")


async def test_a_submitted_idea_is_remembered_and_receipted_by_mail_and_sms(notify: Notify) -> None:
    submitted = idea_submitted(contact=Contact(name="Maija", email="Maija@example.fi", phone="+358401112233",
                                               channel="sms"))
    await ideas.on_idea_submitted(submitted, ctx(submitted), notify.container)
    contact = await notify.container.store.recipients.contact(submitted.idea_id)
    assert contact is not None and contact["email"] == "maija@example.fi" and contact["reference"] == "KOO-2026-0001"
    assert sorted(d["channel"] for d in await notify.queue(kind="receipt")) == ["email", "sms"]

    changed = StageChanged(
        case_id="c1", idea_id=submitted.idea_id, reference="KOO-2026-0001", from_stage="idea",
        to_stage="sparring", changed_by="s1", changed_at=AT,
    )
    await ideas.on_stage_changed(changed, ctx(changed), notify.container)
    [update] = await notify.queue(kind="status-update")
    assert update["channel"] == "sms" and update["context"]["to_stage"] == "sparring"


async def test_events_about_an_unknown_contact_or_event_are_retried(notify: Notify) -> None:
    changed = example_instance(StageChanged)
    with pytest.raises(ContactNotKnownYet):
        await ideas.on_stage_changed(changed, ctx(changed), notify.container)
    registration = example_instance(RegistrationReceived)
    with pytest.raises(EventNotKnownYet):
        await people.on_registration_received(registration, ctx(registration), notify.container)
    assert await notify.queue() == []


async def test_an_older_staff_update_does_not_override_a_newer_one(notify: Notify) -> None:
    newer = StaffUpdated(staff_id="s1", email="New@koonto.fi", display_name="New", roles=("advisor",), updated_at=AT)
    older = StaffUpdated(staff_id="s1", email="old@koonto.fi", display_name="Old", roles=("advisor",),
                         updated_at=AT - timedelta(days=1))
    await staff.on_staff_updated(newer, ctx(newer), notify.container)
    await staff.on_staff_updated(older, ctx(older), notify.container)
    [member] = await notify.container.store.recipients.staff()
    assert member["email"] == "new@koonto.fi" and member["display_name"] == "New"


async def test_an_event_with_an_online_link_is_announced_to_the_whole_region(notify: Notify) -> None:
    kwargs = {"title": "Kyläilta", "kind": "forum", "starts_at": AT, "capacity": 30, "municipality": "iisalmi"}
    held = EventScheduled(scheduled_event_id="t1", place="Kylätalo", **kwargs)  # type: ignore[arg-type]
    online = EventScheduled(scheduled_event_id="t2", online_url="https://meet.example.fi/k", **kwargs)  # type: ignore[arg-type]
    for event in (held, online):
        await announcements.on_event_scheduled(event, ctx(event), notify.container)
    fanouts = [d async for d in notify.infra.store["fanouts"].find({})]
    assert sorted((d["municipality"], d["context"]["place"] or "", d["online"]) for d in fanouts) == [
        ("iisalmi", "", True), ("iisalmi", "Kylätalo", False)
    ]


async def test_a_closing_call_fans_out_and_reminds_the_preparing_associations(notify: Notify) -> None:
    submitted = idea_submitted()
    await ideas.on_idea_submitted(submitted, ctx(submitted), notify.container)
    closing = CallClosingSoon(call_id="k1", name="Kylät kuntoon", closes_on=date(2026, 12, 14), days_left=14,
                              preparing_idea_ids=(submitted.idea_id,))
    await announcements.on_call_closing_soon(closing, ctx(closing), notify.container)
    [fanout] = [d async for d in notify.infra.store["fanouts"].find({})]
    assert fanout["kind"] == "call-announcement" and fanout["context"]["days_left"] == 14
    assert fanout["context"]["funder"] == "" and fanout["context"]["call_name"] == "Kylät kuntoon"
    [reminder] = await notify.queue(kind="call-reminder")
    assert reminder["address"] == "maija@example.fi" and reminder["context"]["days_left"] == 14


async def test_erasure_forgets_the_person_and_sends_one_confirmation_then_forgets_its_address(notify: Notify) -> None:
    submitted = idea_submitted()
    await ideas.on_idea_submitted(submitted, ctx(submitted), notify.container)
    erasure = ErasureRequested(request_id="e1", requested_at=AT, email="maija@example.fi",
                               idea_ids=(submitted.idea_id,))
    await people.on_erasure_requested(erasure, ctx(erasure), notify.container)
    assert await notify.container.store.recipients.contact(submitted.idea_id) is None
    [receipt] = await notify.queue(kind="receipt")
    assert receipt["status"] == "cancelled" and receipt["address"] == "(poistettu)"
    [confirmation] = await notify.queue(kind="erasure-confirmation")
    assert await notify.container.sender.deliver(confirmation) == "sent"
    [logged] = await notify.log(kind="erasure-confirmation")
    assert logged["address"] == "(poistettu)"
    assert [e.type for e in await notify.published()] == [NotificationSent.event_type()]
