"""Events produced by notify."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from koonto.shared.contracts.base import EventData, Id, ShortText, UtcDatetime

NotificationChannel = Literal["email", "sms"]


class NotificationSent(EventData):
    producer = "notify"
    event_name = "notification-sent"
    summary = "A message was accepted by the mail server or SMS provider."

    notification_id: Id
    cause_event_id: Id
    cause_type: ShortText
    kind: ShortText
    channel: NotificationChannel
    sent_at: UtcDatetime
    segments: int | None = Field(default=None, ge=1, description="SMS segments")


class NotificationFailed(EventData):
    producer = "notify"
    event_name = "notification-failed"
    summary = "A message gave up after retries or failed permanently."

    notification_id: Id
    cause_event_id: Id
    cause_type: ShortText
    kind: ShortText
    channel: NotificationChannel
    failed_at: UtcDatetime
    permanent: bool
    reason: str = Field(max_length=1000)
