"""Composing a delivery's message: its context (the fan-out's shared part included), the rendered e-mail with
its unsubscribe links and calendar, or the SMS text."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from koonto.notify.compose import email_message
from koonto.notify.domain import ics
from koonto.notify.domain.keys import message_id
from koonto.notify.domain.kinds import KINDS
from koonto.notify.domain.newsletters import mail_context
from koonto.notify.domain.retry import DeliveryError
from koonto.notify.links import Links
from koonto.notify.render import RenderedEmail, RenderedSms, Renderer
from koonto.notify.use_cases.core import Core
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document
from koonto.shared.region import Region

log = get_logger(__name__)


@dataclass(frozen=True)
class Email:
    message: EmailMessage
    message_id: str
    rendered: RenderedEmail


class Composer:
    def __init__(self, core: Core, renderer: Renderer, links: Links) -> None:
        self.settings = core.settings
        self.core = core
        self.fanouts = core.store.fanouts
        self.renderer = renderer
        self.links = links
        self._fanout_contexts: dict[str, Document] = {}

    @property
    def region(self) -> Region:
        """The region the message is about (the delivery's, set around its sending)."""
        return self.core.region

    def common_context(self) -> Document:
        region = self.region
        return {"project_name": region.project_name, "contact_email": region.contact_email, "website": region.website,
                "privacy_contact_email": region.privacy_contact_email}

    async def context(self, doc: Document) -> Document:
        context = dict(doc.get("context") or {})
        if doc.get("fanout_id"):
            fanout_id = doc["fanout_id"]
            if fanout_id not in self._fanout_contexts:
                fanout = await self.fanouts.one(fanout_id)
                self._fanout_contexts[fanout_id] = (fanout or {}).get("context") or {}
            context = {**self._fanout_contexts[fanout_id], **context}
        if "editions" in context and "edition" not in context:  # a newsletter: the reader's edition
            context.update(mail_context(context["campaign_id"], context["editions"], doc["language"],
                                        context["intake_url"]))
        return {**self.common_context(), **context}

    async def email(self, doc: Document, now: datetime) -> Email:
        context = await self.context(doc)
        kind, language, address = doc["kind"], doc["language"], doc["address"]
        with _render_errors(kind, language):
            unsubscribe, preferences = None, None
            if KINDS[kind].links:
                unsubscribe = self.links.unsubscribe_url(address, doc.get("topic"), language)
                preferences = self.links.preferences_url(address, language)
            context.update(unsubscribe_url=unsubscribe, preferences_url=preferences)
            rendered = self.renderer.email(kind, language, context)
            mid = message_id(doc["_id"], self.settings.mail_domain)
            message = email_message(
                rendered=rendered,
                sender=self.sender(context.get("sender_name")),
                reply_to=context.get("reply_to"),
                to=address,
                to_name=doc.get("recipient_name") or None,
                message_id=mid,
                delivery_key=doc["_id"],
                unsubscribe_url=unsubscribe,
                unsubscribe_mailto=None,
                date=now,
                ics=self.calendar(doc, context, now),
            )
        return Email(message, mid, rendered)

    def sender(self, person: str | None) -> str:
        """The project's address (the region's `mail_from`, else KOONTO_MAIL_FROM); a message written by a person
        (an advisor) shows their name on it: "Niina Neuvoja (Koonto)" <koonto@...>. Replies go to that person
        through Reply-To."""
        mail_from = self.region.mail_from or self.settings.mail_from
        name, address = parseaddr(mail_from)
        if not person:
            return mail_from
        return formataddr((f"{person} ({name or self.region.project_name})", address))

    async def sms(self, doc: Document) -> RenderedSms:
        context = await self.context(doc)
        with _render_errors(doc["kind"], doc["language"]):
            return self.renderer.sms(doc["kind"], doc["language"], context)

    def sms_sender(self) -> str:
        """The sender name of the region's SMS (`sms_sender`, else KOONTO_SMS_FROM)."""
        return self.region.sms_sender or self.settings.sms_from

    def calendar(self, doc: Document, context: Document, now: datetime) -> str | None:
        if doc["kind"] == "advice-booking-confirmation":
            return self.advice_calendar(doc["language"], context, now)
        if doc["kind"] != "registration-confirmation" or context.get("status") != "confirmed":
            return None
        starts = datetime.fromisoformat(context["starts_at"])
        ends = datetime.fromisoformat(context["ends_at"]) if context.get("ends_at") else None
        return ics.calendar(
            uid=f"{context.get('scheduled_event_id', doc['_id'])}@{self.settings.mail_domain}",
            title=context["event_title"],
            starts_at=starts,
            ends_at=ends,
            location=context.get("place") or context.get("online_url"),
            description=context.get("description") or "",
            url=context.get("online_url"),
            organizer_email=self.region.contact_email,
            stamp=now,
        )

    def advice_calendar(self, language: str, context: Document, now: datetime) -> str:
        """The booked advice time as a calendar entry: the meeting link or place as its location, the signed
        cancel/rebook link as its URL (uid = the booking, so a rebooking is a new entry)."""
        title = f"{ADVICE_TITLES.get(language, ADVICE_TITLES['fi'])}: {context['advisor_name']}"
        return ics.calendar(
            uid=f"advice-{context['booking_id']}@{self.settings.mail_domain}",
            title=title,
            starts_at=datetime.fromisoformat(context["starts_at"]),
            ends_at=datetime.fromisoformat(context["ends_at"]),
            location=context.get("online_url") or context.get("place") or context.get("phone"),
            description=context["manage_url"],
            url=context.get("online_url") or context["manage_url"],
            organizer_email=self.region.contact_email,
            stamp=now,
        )


ADVICE_TITLES = {"fi": "Neuvonta-aika", "sv": "Rådgivningstid", "en": "Advice session"}


@contextlib.contextmanager
def _render_errors(kind: str, language: str) -> Iterator[None]:
    """A template that cannot render this data will not render it next time either: a permanent failure."""
    try:
        yield
    except DeliveryError:
        raise
    except Exception as exc:
        log.exception("message could not be rendered", kind=kind, language=language)
        raise DeliveryError(f"render failed: {exc!r}", permanent=True) from exc
