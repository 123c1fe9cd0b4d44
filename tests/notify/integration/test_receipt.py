"""Receipt on idea-submitted: one mail in the contact's language with the reference and the status link."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from koonto.devsinks import MailSink
from koonto.shared.contracts.intake import Contact
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted


async def test_receipt_mail_once_in_the_contacts_language_even_when_redelivered(
    notify: Notify, mail_sink: MailSink
) -> None:
    data = idea_submitted(
        reference="KOO-2026-0099",
        contact=Contact(name="Sven Svensson", email="Sven@Example.fi", language="sv", channel="email"),
    )
    env = envelope(data)
    await notify.publish(env)
    # the same event again: once under its own id (dropped by the stream), once past the window (inbox)
    await notify.publish(env)
    await notify.publish(env, message_id=f"{env.id}-late")

    await eventually(lambda: _count(mail_sink), until=lambda n: n == 1, what="receipt mail")
    await stays(lambda: _count(mail_sink), until=lambda n: n == 1, duration=1.5)

    raw = mail_sink.messages[0]["raw"]
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["To"].addresses[0].addr_spec == "sven@example.fi"
    assert "KOO-2026-0099" in message["Subject"] and "Idén har tagits emot" in message["Subject"]
    plain_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert plain_part is not None and html_part is not None
    text, html = plain_part.get_content(), html_part.get_content()
    assert data.status_url in text and data.status_url.replace("&", "&amp;") in html
    assert "KOO-2026-0099" in text and "KOO-2026-0099" in html
    assert message["Content-Language"] == "sv"
    # RFC 8058 one-click unsubscribe and a preference page
    assert message["List-Unsubscribe"].startswith("<http://notify.test/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "http://notify.test/preferences/" in text
    # the Message-ID is derived from the delivery key
    [delivery] = await eventually(lambda: notify.deliveries(status="sent"), until=lambda d: len(d) == 1)
    assert delivery["status"] == "sent" and message["Message-ID"] == delivery["message_id"]

    # notification-sent went out through the outbox
    await eventually(notify.runtime.relay.pending, until=lambda n: n == 0, what="outbox drained")


async def _count(sink: MailSink) -> int:
    return len(sink.messages)
