"""Events produced by notify."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from koonto.shared.contracts.base import EventData
from koonto.shared.contracts.fields import Id, ShortText, UtcDatetime

NotificationChannel = Literal["email", "sms"]


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
