"""The reminder the day before a training or forum (use_cases/reminders.py): to those holding a seat, once across
passes and replicas, in their language and channel, an SMS only outside the quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from koonto.notify.handlers import announcements, people
from koonto.shared.bus import EventContext
from koonto.shared.contracts import EventData
from koonto.shared.contracts.advisory import EventScheduled
from koonto.shared.contracts.intake import Contact, RegistrationCancelled, RegistrationPromoted, RegistrationReceived
from tests.notify.unit.conftest import DAYTIME, Notify, make_notify
from tests.support.samples import envelope

STARTS = DAYTIME + timedelta(days=3)  # 3.12.2026 at 12.00 Helsinki


def ctx(event: EventData) -> EventContext:
    return EventContext(envelope=envelope(event), attempt=1, region="pohjois-savo", service="notify")


async def _deliver(notify: Notify, data: EventData) -> None:
    handler = {EventScheduled: announcements.on_event_scheduled, RegistrationReceived: people.on_registration_received,
               RegistrationCancelled: people.on_registration_cancelled,
               RegistrationPromoted: people.on_registration_promoted}[type(data)]
    await handler(data, ctx(data), notify.container)  # type: ignore[operator]


async def _an_event_with_four_registrants(notify: Notify) -> None:
    await _deliver(notify, EventScheduled(scheduled_event_id="ev1", title="Hankeklinikka", kind="training",
                                          starts_at=STARTS, place="Kuopio", capacity=2,
                                          what_to_bring="Kannettava tietokone"))
    people_ = [("aino@example.fi", None, "fi", "email", "confirmed"), ("bob@example.fi", "+358401112222", "en", "sms",
                                                                      "confirmed"),
               ("cecilia@example.fi", None, "sv", "email", "waitlisted"),
               ("dan@example.fi", None, "fi", "email", "waitlisted")]
    for n, (email, phone, language, channel, status) in enumerate(people_):
        await _deliver(notify, RegistrationReceived(
            registration_id=f"r{n}", scheduled_event_id="ev1", status=status,  # type: ignore[arg-type]
            received_at=DAYTIME, position_on_waitlist=None if status == "confirmed" else n - 1,
            participant=Contact(name=f"P{n}", email=email, phone=phone, language=language,  # type: ignore[arg-type]
                                channel=channel),  # type: ignore[arg-type]
            cancel_url=f"http://intake.test/registrations/cancel/r{n}",
        ))
    # r0 cancels, r2 gets the seat, r3 stays waiting
    await _deliver(notify, RegistrationCancelled(registration_id="r0", scheduled_event_id="ev1", cancelled_at=DAYTIME,
                                                 was="confirmed", cancelled_by="registrant"))
    await _deliver(notify, RegistrationPromoted(registration_id="r2", scheduled_event_id="ev1", promoted_at=DAYTIME,
                                                cancel_url="http://intake.test/registrations/cancel/r2-new"))


async def reminders(notify: Notify) -> list[dict]:
    return await notify.queue(kind="registration-reminder")


async def test_the_day_before_each_seat_holder_is_reminded_once_in_their_language_and_channel() -> None:
    notify = make_notify()
    await _an_event_with_four_registrants(notify)
    assert await notify.container.reminders.remind_due() == 0  # three days ahead: not yet
    notify.clock.set(STARTS - timedelta(hours=23))  # 2.12. at 13.00 Helsinki
    assert await notify.container.reminders.remind_due() == 3
    queued = await reminders(notify)
    assert sorted((d["address"], d["channel"], d["language"]) for d in queued) == [
        ("+358401112222", "sms", "en"), ("bob@example.fi", "email", "en"), ("cecilia@example.fi", "email", "sv")]
    cecilia = next(d for d in queued if d["address"] == "cecilia@example.fi")
    assert cecilia["context"]["what_to_bring"] == "Kannettava tietokone"
    assert cecilia["context"]["cancel_url"].endswith("/r2-new")  # the link of the promotion

    # a second pass, and another replica on the same data, plan nothing new
    assert await notify.container.reminders.remind_due() == 0
    other = make_notify(store=notify.infra.store, instance_id="memory-2")
    other.clock.set(STARTS - timedelta(hours=22))
    assert await other.container.reminders.remind_due() == 0
    await notify.infra.store["scheduled_events"].update_one({"_id": "ev1"}, {"$set": {"reminded_ms": None}})
    assert await other.container.reminders.remind_due() == 0  # a crash before the mark: the same deliveries
    assert len(await reminders(notify)) == 3


async def test_an_sms_reminder_waits_for_the_morning() -> None:
    notify = make_notify()
    await _an_event_with_four_registrants(notify)
    notify.clock.set(datetime(2026, 12, 2, 21, 30, tzinfo=UTC))  # 23.30 Helsinki, 12.5 h before the event
    await notify.container.reminders.remind_due()
    sms = next(d for d in await reminders(notify) if d["channel"] == "sms")
    mail = next(d for d in await reminders(notify) if d["channel"] == "email")
    night = datetime(2026, 12, 2, 21, 30, tzinfo=UTC)
    assert sms["due_at"] >= night + timedelta(hours=6)  # not before the quiet hours end in the morning
    assert mail["due_at"] < night + timedelta(minutes=1)


async def test_the_reminder_reads_well_in_every_language() -> None:
    notify = make_notify()
    await _an_event_with_four_registrants(notify)
    notify.clock.set(STARTS - timedelta(hours=23))
    await notify.container.reminders.remind_due()
    for doc in await reminders(notify):
        if doc["channel"] != "email":
            continue
        composed = await notify.container.composer.email(doc, notify.clock.now())
        text = composed.message.as_string()
        assert "Kannettava tietokone" in text and "/registrations/cancel/" in text
