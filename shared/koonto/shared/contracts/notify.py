"""Events produced by notify."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from koonto.shared.contracts.base import Contract, EventData
from koonto.shared.contracts.fields import Id, LanguageCode, LongText, Sealed, ShortText, UtcDatetime

NotificationChannel = Literal["email", "sms"]
Topic = Literal["call_announcements", "newsletter", "events"]


class NotifyEvent(EventData, producer="notify"):
    """An event notify produces."""


class NotificationEvent(NotifyEvent):
    """What every notification-* event starts with: which message, caused by which event, sent how."""

    notification_id: Id
    cause_event_id: Id
    cause_type: ShortText
    kind: ShortText
    channel: NotificationChannel


class NotificationSent(
    NotificationEvent, name="notification-sent", summary="A message was accepted by the mail server or SMS provider."
):
    sent_at: UtcDatetime
    segments: int | None = Field(default=None, ge=1, description="SMS segments")


class NotificationFailed(
    NotificationEvent, name="notification-failed", summary="A message gave up after retries or failed permanently."
):
    failed_at: UtcDatetime
    permanent: bool
    reason: str = Field(max_length=1000)


class NewsletterEdition(Contract):
    """One language of a newsletter: its subject and its body in the safe Markdown subset
    (`koonto.shared.markdown`), rendered by whoever shows it."""

    language: LanguageCode
    subject: ShortText
    body: LongText


class NewsletterPublished(
    NotifyEvent,
    name="newsletter-published",
    summary="Staff sent a newsletter (its sending began); intake keeps it in the public archive.",
):
    campaign_id: Id
    topic: Topic = Field(description="the subscription topic whose confirmed subscribers it went to")
    editions: tuple[NewsletterEdition, ...] = Field(min_length=1, description="Finnish first, then sv/en if written")
    published_at: UtcDatetime


class ConsentWithdrawn(
    NotifyEvent,
    name="consent-withdrawn",
    summary="A person withdrew consent to topics in notify (one-click unsubscribe, the preference page); intake "
    "cancels its subscription records to match.",
):
    email: EmailStr | Sealed
    topics: tuple[Topic, ...] = Field(min_length=1)
    source: ShortText = Field(description="'one-click-unsubscribe' or 'preference-page'")
    withdrawn_at: UtcDatetime
