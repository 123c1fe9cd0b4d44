"""Subscriptions to the call announcements and the newsletter: double opt-in, confirm, cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from koonto.intake.domain.subscriptions import on_request
from koonto.intake.use_cases.base import UseCase, stable_key
from koonto.shared.clock import as_utc
from koonto.shared.contracts.intake import SubscriptionCancelled, SubscriptionConfirmed, SubscriptionRequested
from koonto.shared.ids import new_event_id

Confirmed = Literal["confirmed", "already", "gone"]
Cancelled = Literal["cancelled", "already", "gone"]


@dataclass
class Subscriptions(UseCase):
    async def request(
        self, *, email: str, topic: str, language: str, municipality: str | None, source: str,
        correlation_id: str | None = None,
    ) -> bool:
        """Double opt-in, step one. True when a confirmation mail was asked for."""
        now = self.clock()
        key = stable_key(self.region.code, topic, email)
        current = await self.store.subscription(key)
        action = on_request(
            current["status"] if current else None,
            as_utc(current["requested_at"]) if current and current.get("requested_at") else None,
            now, timedelta(minutes=self.settings.subscription_resend_minutes),
        )
        if action == "nothing":
            return False
        subscription_id = current["subscription_id"] if action == "resend" and current else new_event_id()
        data = SubscriptionRequested(
            subscription_id=subscription_id, topic=topic, email=email, language=language,  # type: ignore[arg-type]
            municipality=municipality, requested_at=now, source=source,
            confirm_url=self.links.confirm_url(subscription_id),
        )
        event = self.events.new_event(data, subject=subscription_id, correlation_id=correlation_id)
        fields: dict[str, Any] = {
            "subscription_id": subscription_id, "topic": topic, "email": email, "language": language,
            "municipality": municipality, "source": source, "status": "pending", "requested_at": now,
            "confirmed_at": None, "cancelled_at": None,
        }
        if action == "create":
            done = await self.store.create_subscription(
                {"_id": key, "region": self.region.code, "first_requested_at": now, "requests": 1, **fields}, event
            )
        else:
            done = await self.store.renew_subscription(key, current or {}, fields, event)
        return self.written(done, event)

    async def request_topics(
        self, *, email: str, topics: tuple[str, ...], language: str, municipality: str | None,
        source: str = "subscription-form",
    ) -> None:
        """The subscription form: one request per topic ticked (the answer never says which were new)."""
        for topic in topics:
            await self.request(email=email, topic=topic, language=language, municipality=municipality, source=source)

    async def confirm(self, subscription_id: str) -> Confirmed:
        """'confirmed' (now), 'already' (earlier) or 'gone' (cancelled, erased or unknown)."""
        current = await self.store.subscription_by_id(subscription_id)
        if current is None or current["status"] not in ("pending", "confirmed"):
            return "gone"
        if current["status"] == "confirmed":
            return "already"
        now = self.clock()
        data = SubscriptionConfirmed(
            subscription_id=subscription_id, topic=current["topic"], email=current["email"],
            language=current.get("language") or "fi", municipality=current.get("municipality"), confirmed_at=now,
            source=current.get("source") or "subscription-form",
            unsubscribe_url=self.links.unsubscribe_url(subscription_id),
        )
        event = self.events.new_event(data, subject=subscription_id)
        done = await self.store.confirm_subscription(current["_id"], subscription_id, now, event)
        return "confirmed" if self.written(done, event) else "already"

    async def cancel(self, subscription_id: str, source: str = "unsubscribe-link") -> Cancelled:
        """'cancelled' (now), 'already' (earlier, or never confirmed) or 'gone' (unknown or erased)."""
        current = await self.store.subscription_by_id(subscription_id)
        if current is None or current["status"] == "erased":
            return "gone"
        if current["status"] != "confirmed":
            return "already"
        now = self.clock()
        data = SubscriptionCancelled(
            subscription_id=subscription_id, topic=current["topic"], email=current["email"], cancelled_at=now,
            source=source,
        )
        event = self.events.new_event(data, subject=subscription_id)
        done = await self.store.cancel_subscription(current["_id"], subscription_id, now, event)
        return "cancelled" if self.written(done, event) else "already"
