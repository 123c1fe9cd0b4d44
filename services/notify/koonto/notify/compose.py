"""Builds the wire messages: a MIME mail (plain text + HTML, an .ics when there is one) with the headers
that make it trustworthy and easy to leave: Message-ID from the delivery key, List-Unsubscribe (+ Post), and
Reply-To where a person (an advisor) wrote the message."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from koonto.notify.render import RenderedEmail


def email_message(
    *,
    rendered: RenderedEmail,
    sender: str,
    to: str,
    to_name: str | None,
    message_id: str,
    delivery_key: str,
    unsubscribe_url: str | None,
    unsubscribe_mailto: str | None,
    date: datetime,
    ics: str | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((to_name, to)) if to_name else to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:  # none on the erasure receipt: there is nothing left to unsubscribe from
        unsubscribe = f"<{unsubscribe_url}>"
        if unsubscribe_mailto:
            unsubscribe += f", <mailto:{unsubscribe_mailto}?subject=unsubscribe>"
        message["List-Unsubscribe"] = unsubscribe
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Koonto-Delivery"] = delivery_key
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if ics:
        message.add_attachment(
            ics.encode(), maintype="text", subtype="calendar", filename="tapahtuma.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    message["Content-Language"] = rendered.language  # after the body: set_content drops Content-* headers
    return message
