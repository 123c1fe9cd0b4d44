"""Advice bookings (hankeklinikka) on real NATS and a real store: the confirmation with its .ics and the signed
cancel/rebook link goes once in the person's language; the day-before reminder waits for the end of the quiet
hours and goes once; a cancelled booking's reminder never goes, and its cancellation is confirmed (not a
rebooking's: the new confirmation says it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from typing import Any

from koonto.devsinks import MailSink, SmsSink
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked, Contact
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually, stays
from tests.support.samples import envelope

STARTS = datetime(2026, 12, 3, 7, 0, tzinfo=HELSINKI)  # the clock stands at 30.11.2026 12.00 in Helsinki


def booked(booking_id: str, **overrides: Any) -> AdviceSessionBooked:
    values: dict[str, Any] = {
        "booking_id": booking_id, "slot_id": f"slot-{booking_id}", "booked_at": datetime(2026, 11, 30, 10, tzinfo=UTC),
        "starts_at": STARTS, "ends_at": STARTS + timedelta(minutes=45), "kind": "online",
        "online_url": "https://meet.example.fi/abc", "advisor_id": "staff-1", "advisor_name": "Niina Neuvoja",
        "contact": Contact(name="Sven Svensson", email="sven@example.fi", language="sv"), "topic": "Finansiering",
        "manage_url": f"http://intake.test/advice/booking/{booking_id}-signed",
    }
    return AdviceSessionBooked(**{**values, **overrides})


def _parsed(sink: MailSink, n: int) -> Any:
    return BytesParser(policy=policy.default).parsebytes(sink.messages[n]["raw"])


async def _n(sink: MailSink | SmsSink) -> int:
    return len(sink.messages)


async def test_confirmation_with_calendar_once_then_one_reminder_after_the_quiet_hours(
    notify: Notify, mail_sink: MailSink
) -> None:
    env = envelope(booked("b1"))
    await notify.publish(env)
    await notify.publish(env, message_id=f"{env.id}-again")  # a redelivery past the stream's window
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="confirmation")
    await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=1.0)
    message = _parsed(mail_sink, 0)
    assert message["Subject"].startswith("Rådgivningstiden är bokad 3.12.2026") and "7.00" in message["Subject"]
    assert message["Content-Language"] == "sv"
    text = message.get_body(("plain",)).get_content()
    assert "http://intake.test/advice/booking/b1-signed" in text and "https://meet.example.fi/abc" in text
    [calendar] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    lines = calendar.get_content().replace("\r\n ", "").splitlines()
    assert "DTSTART:20261203T050000Z" in lines and "DTEND:20261203T054500Z" in lines
    assert "SUMMARY:Rådgivningstid: Niina Neuvoja" in lines and "LOCATION:https://meet.example.fi/abc" in lines

    notify.clock.set(datetime(2026, 12, 2, 7, 30, tzinfo=HELSINKI))  # a day before, but in the quiet hours
    await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=1.0)
    notify.clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=HELSINKI))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="reminder")
    await stays(lambda: _n(mail_sink), until=lambda n: n == 2, duration=1.5)
    reminder = _parsed(mail_sink, 1)
    assert reminder["Subject"].startswith("Påminnelse: rådgivningstid")
    assert "http://intake.test/advice/booking/b1-signed" in reminder.get_body(("plain",)).get_content()


async def test_a_cancelled_booking_gets_no_reminder_but_a_confirmation_and_a_rebooked_one_no_cancellation(
    notify: Notify, mail_sink: MailSink
) -> None:
    await notify.publish(envelope(booked("b2", contact=Contact(name="Maija", email="maija@example.fi"))))
    await notify.publish(envelope(booked("b3", contact=Contact(name="Olli", email="olli@example.fi"))))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="two confirmations")
    assert {_parsed(mail_sink, n)["Subject"].split(" 3.12.")[0] for n in (0, 1)} == {"Neuvonta-aika varattu"}

    def cancelled(booking_id: str, rebooked_as: str | None = None) -> Any:
        return envelope(AdviceBookingCancelled(
            booking_id=booking_id, slot_id=f"slot-{booking_id}", cancelled_at=datetime(2026, 11, 30, 11, tzinfo=UTC),
            starts_at=STARTS, advisor_id="staff-1", rebooked_as=rebooked_as,
        ))

    await notify.publish(cancelled("b2"))
    await notify.publish(cancelled("b3", rebooked_as="b4"))  # moved: the new booking's confirmation says it
    await eventually(lambda: notify.deliveries(status="cancelled"), until=lambda d: len(d) == 2, what="cancelled")
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 3, what="the cancellation confirmed")
    message = _parsed(mail_sink, 2)
    assert message["To"].addresses[0].addr_spec == "maija@example.fi"
    assert message["Subject"].startswith("Neuvonta-aika peruttu: 3.12.2026")
    assert "http://intake.test/advice" in message.get_body(("plain",)).get_content()
    notify.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=HELSINKI))
    await stays(lambda: _n(mail_sink), until=lambda n: n == 3, duration=1.5)  # no reminders


async def test_a_booker_who_chose_sms_gets_the_reminder_also_by_sms_once_after_the_quiet_hours(
    notify: Notify, mail_sink: MailSink, sms_sink: SmsSink
) -> None:
    """As a registration reminder: e-mail always (the record with the link), and a short SMS where the booker
    chose SMS and gave a phone; the SMS waits out the quiet hours and goes once. A booker who chose SMS without a
    phone, and one who chose e-mail with a phone, get no SMS."""
    by_sms = Contact(name="Sanna Tekstari", email="sanna@example.fi", phone="+358401112233", channel="sms")
    by_mail = Contact(name="Pekka Posti", email="pekka@example.fi", phone="+358402223344", channel="email")
    env = envelope(booked("s1", contact=by_sms, kind="phone", online_url=None))
    await notify.publish(env)
    await notify.publish(env, message_id=f"{env.id}-again")  # a redelivery past the stream's window
    no_phone = Contact(name="Ville Vailla", email="ville@example.fi", channel="sms")
    await notify.publish(envelope(booked("s2", contact=by_mail)))
    await notify.publish(envelope(booked("s3", contact=no_phone)))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 3, what="three confirmations")
    assert sms_sink.messages == []  # the confirmation goes by e-mail only (it carries the calendar file)

    notify.clock.set(datetime(2026, 12, 2, 7, 30, tzinfo=HELSINKI))  # the day before, in the quiet hours
    notify.container.worker.wake()
    await stays(lambda: _n(sms_sink), until=lambda n: n == 0, duration=1.0)
    notify.clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=HELSINKI))
    notify.container.worker.wake()
    await eventually(lambda: _n(sms_sink), until=lambda n: n == 1, what="the SMS reminder at 08.00")
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 6, what="the three e-mail reminders")
    notify.container.worker.wake()
    async def both() -> tuple[int, int]:
        return await _n(sms_sink), await _n(mail_sink)

    await stays(both, until=lambda n: n == (1, 6), duration=1.5)
    [sms] = sms_sink.messages
    assert sms["to"] == "+358401112233"
    assert sms["body"].startswith("Koonto: huomenna neuvonta-aika 3.12.2026 klo 7.00, Niina Neuvoja.")
    [delivery] = await notify.deliveries(channel="sms", status="sent")
    assert delivery["kind"] == "advice-session-reminder" and delivery["segments"] == 1
    assert datetime(2026, 12, 2, 8, 0, tzinfo=HELSINKI) <= delivery["sent_at"]
