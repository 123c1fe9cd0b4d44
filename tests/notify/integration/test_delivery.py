"""Retries, permanent failures and suppression, quiet hours, consent and one-click unsubscribe."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import nats
import nats.js.errors

from koonto.devsinks import MailSink, SmsSink
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.advisory import CallOpened
from koonto.shared.contracts.intake import Contact, SubscriptionConfirmed
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted


async def last_event(nats_url: str, subject: str) -> dict | None:
    nc = await nats.connect(nats_url)
    try:
        msg = await nc.jetstream().get_last_msg("KOONTO", subject)
        return json.loads(msg.data or b"null")  # type: ignore[no-any-return]
    except nats.js.errors.NotFoundError:
        return None  # not published yet
    finally:
        await nc.close()


async def test_smtp_temporary_failure_then_success_gives_one_mail_after_a_retry(
    notify: Notify, mail_sink: MailSink
) -> None:
    mail_sink.fail_next(451, stage="rcpt", text="4.3.0 Try again later")
    await notify.publish(envelope(idea_submitted()))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="mail after retry")
    [delivery] = await eventually(lambda: notify.deliveries(status="sent"), until=lambda d: len(d) == 1)
    assert delivery["status"] == "sent" and delivery["attempts"] == 2
    assert "451" in delivery["last_error"]
    await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=1.0)


async def test_permanent_failure_does_not_retry_suppresses_and_emits_notification_failed(
    notify: Notify, mail_sink: MailSink, nats_url: str
) -> None:
    mail_sink.fail_address("gone@example.fi", 550, text="5.1.1 No such user")
    data = idea_submitted(contact=Contact(name="Poissa", email="gone@example.fi"))
    env = envelope(data)
    await notify.publish(env)
    failed = await eventually(lambda: notify.deliveries(status="failed"), until=lambda d: len(d) == 1, what="failed")
    assert failed[0]["attempts"] == 1 and failed[0]["permanent"] is True
    assert await notify.runtime.db["suppressions"].count_documents({}) == 1
    event = await eventually(
        lambda: last_event(nats_url, "koonto.notify.notification-failed.v1"), timeout=60, what="notification-failed"
    )
    assert event is not None
    assert event["data"]["cause_event_id"] == env.id and event["data"]["permanent"] is True
    # the suppressed address gets nothing more, not even a service message
    await notify.publish(envelope(idea_submitted(contact=Contact(name="Poissa", email="gone@example.fi"))))
    skipped = await eventually(lambda: notify.deliveries(status="skipped"), until=lambda d: len(d) == 1)
    assert skipped[0]["skip_reason"] == "suppressed" and mail_sink.messages == []


async def test_sms_due_at_2230_helsinki_waits_until_0800(notify: Notify, sms_sink: SmsSink) -> None:
    assert notify.clock is not None
    evening = datetime(2026, 11, 30, 22, 30, tzinfo=HELSINKI)
    notify.clock.set(evening)
    data = idea_submitted(contact=Contact(name="Maija", email="maija@example.fi", phone="+358401112233", channel="sms"))
    await notify.publish(envelope(data))
    sms = await eventually(lambda: notify.deliveries(channel="sms"), until=lambda d: len(d) == 1, what="SMS queued")
    morning = datetime(2026, 12, 1, 8, 0, tzinfo=HELSINKI)
    assert sms[0]["not_before"] == morning and sms[0]["status"] == "pending"
    # the mail receipt goes at once; the SMS waits through the night
    await eventually(lambda: notify.deliveries(channel="email", status="sent"), until=lambda d: len(d) == 1)
    notify.clock.set(morning - timedelta(minutes=1))
    notify.container.worker.wake()
    await stays(lambda: _n(sms_sink), until=lambda n: n == 0, duration=1.0)
    notify.clock.set(morning)
    notify.container.worker.wake()
    await eventually(lambda: _n(sms_sink), until=lambda n: n == 1, what="SMS at 08:00")
    [delivery] = await eventually(lambda: notify.deliveries(channel="sms", status="sent"), until=lambda d: len(d) == 1)
    assert delivery["status"] == "sent" and morning <= delivery["sent_at"] < morning + timedelta(minutes=1)
    assert delivery["segments"] == 1
    assert sms_sink.messages[0]["to"] == "+358401112233" and "KOO-2026-0001" in sms_sink.messages[0]["body"]


async def test_sms_throttled_and_provider_errors_are_retried_invalid_number_is_suppressed(
    notify: Notify, sms_sink: SmsSink, nats_url: str
) -> None:
    sms_sink.fail_next(429)
    sms_sink.fail_next(503)
    first = idea_submitted(contact=Contact(name="A", email="a@example.fi", phone="+358401000001", channel="sms"))
    await notify.publish(envelope(first))
    await eventually(lambda: _n(sms_sink), until=lambda n: n == 1, what="SMS after 429 and 503")
    [delivery] = await eventually(lambda: notify.deliveries(channel="sms", status="sent"), until=lambda d: len(d) == 1)
    assert delivery["attempts"] == 3

    sms_sink.fail_next(400, code=21211, text="Invalid 'To' Phone Number")
    second = idea_submitted(contact=Contact(name="B", email="b@example.fi", phone="+358401000002", channel="sms"))
    await notify.publish(envelope(second))
    failed = await eventually(lambda: notify.deliveries(channel="sms", status="failed"), until=lambda d: len(d) == 1)
    assert failed[0]["attempts"] == 1 and await notify.container.store.records.is_suppressed("sms", "+358401000002")
    assert _requests(sms_sink) == 4  # 429, 503, 201, 400: no retry loop after the 400


async def test_no_consent_no_message_and_one_click_unsubscribe_stops_the_next_one(
    notify: Notify, mail_sink: MailSink
) -> None:
    at = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    for email, topic in (("calls@example.fi", "call_announcements"), ("events@example.fi", "events")):
        await notify.publish(
            envelope(
                SubscriptionConfirmed(
                    subscription_id=email,
                    topic=topic,
                    email=email,
                    confirmed_at=at,
                    source="subscription-form",
                    unsubscribe_url="http://intake.test/unsubscribe/x",
                )
            )
        )
    await eventually(lambda: notify.runtime.db["recipients"].count_documents({}), until=lambda n: n == 2)

    await notify.publish(envelope(call_opened("Haku 1")))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="announcement to the call subscriber")
    await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=1.0)
    message = mail_sink.messages[0]
    assert message["to"] == ["calls@example.fi"]  # the events-only subscriber got nothing

    # RFC 8058 one-click: a POST to the List-Unsubscribe URL with List-Unsubscribe=One-Click
    url = str(message["parsed"]["List-Unsubscribe"]).strip("<>").split(">")[0]
    path = url.removeprefix("http://notify.test")
    from tests.support.services import client

    async with client(notify.runtime) as http:
        page = await http.get(path)
        assert page.status_code == 200  # a GET changes nothing (mail scanners follow links)
        # the page says what stops and what does not, in the reader's language
        assert "Peru tämän aiheen viestit: Rahoitushakujen avautuminen." in page.text
        swedish = await http.get(path.split("?")[0], params={"lang": "sv"})
        assert "<title>Avsluta meddelanden – " in swedish.text
        assert "Nya finansieringsansökningar" in swedish.text
        response = await http.post(
            path, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert response.status_code == 200
        assert "Et saa enää näitä viestejä: Rahoitushakujen avautuminen." in response.text
        assert 'href="http://127.0.0.1:8001/subscribe?lang=fi"' in response.text  # the way back
        # the preference page names the topics in words, not codes, and shows the withdrawal
        preferences_path = str(message["parsed"].get_body(("plain",)).get_content()).split(
            "http://notify.test/preferences/")[1].split()[0]
        preferences = await http.get(f"/preferences/{preferences_path.split('?')[0]}", params={"lang": "en"})
        assert "<title>Message preferences – " in preferences.text and "New funding calls" in preferences.text
        assert "call_announcements</label>" not in preferences.text
        assert 'id="topic-call_announcements" name="topics" value="call_announcements" disabled' in preferences.text
    subscriber = await notify.container.store.recipients.subscriber("calls@example.fi")
    assert subscriber is not None and not subscriber["topics"]["call_announcements"]["consent"]
    assert subscriber["topics"]["call_announcements"]["source"] == "one-click-unsubscribe"

    await notify.publish(envelope(call_opened("Haku 2")))
    fanouts = notify.runtime.db["fanouts"]
    await eventually(lambda: fanouts.count_documents({"status": "expanded"}), until=lambda n: n == 2)
    await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=1.0)


def call_opened(name: str) -> CallOpened:
    return CallOpened(
        call_id=name,
        name=name,
        funder="Itä-Suomen elinvoimakeskus",
        opens_on=date(2026, 12, 1),
        closes_on=date(2027, 2, 15),
        budget_eur=100000,
        description="Kuvaus",
    )


async def _n(sink: MailSink | SmsSink) -> int:
    return len(sink.messages)


def _requests(sink: SmsSink) -> int:
    return sink.requests
