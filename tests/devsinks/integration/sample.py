"""A mail like notify's (text, HTML, an .ics invitation) with hostile content, sent to a real mail sink."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from koonto.devsinks import MailSink

HOSTILE_HTML = (
    "<html><body><h1>Tervetuloa työpajaan</h1>"
    "<script>document.title = 'pwned'; document.body.setAttribute('data-ran', 'yes');</script>"
    "<img src='https://tracker.example/pixel.gif' onerror=\"document.title='pwned'\">"
    "<p>Ilmoittautuminen on vastaanotettu.</p></body></html>"
)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Hankeideoiden työpaja\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def send_sample(sink: MailSink, subject: str = "Ilmoittautuminen <b>vahvistettu</b>") -> dict[str, object]:
    message = EmailMessage()
    message["From"] = "Koonto <koonto@example.fi>"
    message["To"] = "maija.meikalainen@example.fi"
    message["Reply-To"] = "Neuvoja <neuvoja@example.fi>"
    message["Subject"] = subject
    message["Date"] = "Wed, 02 Dec 2026 14:05:09 +0000"
    message["Message-ID"] = "<016133b93d5e0cdd44e1b01260abe0dc@notify.koonto.example.fi>"  # long, unbreakable
    message.set_content("Hei Maija,\n\nilmoittautumisesi työpajaan on vastaanotettu.\n")
    message.add_alternative(HOSTILE_HTML, subtype="html")
    message.add_attachment(ICS.encode(), maintype="text", subtype="calendar", filename="tyopaja.ics",
                           params={"charset": "utf-8", "method": "REQUEST"})
    before = len(sink.messages)
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        smtp.send_message(message)
    assert len(sink.messages) == before + 1
    return sink.messages[-1]
