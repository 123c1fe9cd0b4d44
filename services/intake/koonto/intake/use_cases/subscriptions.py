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
from koonto.shared.mongo import Document

Confirmed = Literal["confirmed", "already", "gone"]
Cancelled = Literal["cancelled", "already", "gone"]


@dataclass(frozen=True)
class _Asked:
    """A topic of a request that needs a confirmation mail."""

    topic: str
    key: str
    current: Document | None
    action: str
    subscription_id: str


@dataclass
class Subscriptions(UseCase):
    async def request(
        self, *, email: str, topic: str, language: str, municipality: str | None, source: str,
        correlation_id: str | None = None,
    ) -> bool:
        """Double opt-in, step one. True when a confirmation mail was asked for."""
        asked = await self.request_topics(email=email, topics=(topic,), language=language, municipality=municipality,
                                          source=source, correlation_id=correlation_id)
        return bool(asked)

    async def request_topics(
        self, *, email: str, topics: tuple[str, ...], language: str, municipality: str | None,
        source: str = "subscription-form", correlation_id: str | None = None, themes: tuple[str, ...] = (),
    ) -> tuple[str, ...]:
        """The subscription form: one subscription per topic ticked, and ONE confirmation mail for the topics that
        need one (new, or pending long enough to resend): their events share a request id, the list of topics and
        one confirm link that confirms them all. `themes` (none: every theme) go with each topic. Returns those topics
        (the answer never says which were new)."""
        now = self.clock()
        resend_after = timedelta(minutes=self.settings.subscription_resend_minutes)
        asked: list[_Asked] = []
        for topic in topics:
            key = stable_key(self.region.code, topic, email)
            current = await self.store.subscription(key)
            action = on_request(
                current["status"] if current else None,
                as_utc(current["requested_at"]) if current and current.get("requested_at") else None,
                now, resend_after,
            )
            if action != "nothing":
                subscription_id = current["subscription_id"] if action == "resend" and current else new_event_id()
                asked.append(_Asked(topic, key, current, action, subscription_id))
        if not asked:
            return ()
        ids = [a.subscription_id for a in asked]
        confirm_url = self.links.confirm_url(ids if len(ids) > 1 else ids[0])
        request_id, all_topics = new_event_id(), tuple(a.topic for a in asked)
        for a in asked:
            data = SubscriptionRequested(
                subscription_id=a.subscription_id, topic=a.topic, email=email, language=language,  # type: ignore[arg-type]
                municipality=municipality, requested_at=now, source=source, confirm_url=confirm_url,
                request_id=request_id, topics=all_topics, themes=themes,  # type: ignore[arg-type]
            )
            event = self.events.new_event(data, subject=a.subscription_id, correlation_id=correlation_id)
            fields: dict[str, Any] = {
                "subscription_id": a.subscription_id, "topic": a.topic, "email": email, "language": language,
                "municipality": municipality, "themes": list(themes), "source": source, "status": "pending",
                "requested_at": now,
                "confirmed_at": None, "cancelled_at": None,
            }
            if a.action == "create":
                done = await self.store.create_subscription(
                    {"_id": a.key, "region": self.region.code, "first_requested_at": now, "requests": 1, **fields},
                    event,
                )
            else:
                done = await self.store.renew_subscription(a.key, a.current or {}, fields, event)
            self.written(done, event)
        return all_topics

    async def confirm_all(self, subscription_ids: list[str]) -> Confirmed:
        """A confirm link of several topics: 'confirmed' if any was confirmed now, 'already' if all were
        earlier (or some are gone), 'gone' if none is left."""
        outcomes = [await self.confirm(subscription_id) for subscription_id in subscription_ids]
        if "confirmed" in outcomes:
            return "confirmed"
        return "already" if "already" in outcomes else "gone"

    async def confirm(self, subscription_id: str) -> Confirmed:
        """'confirmed' (now), 'already' (earlier) or 'gone' (cancelled, erased or unknown)."""
        current = self.store.scope.only(await self.store.subscription_by_id(subscription_id))  # this region's
        if current is None or current["status"] not in ("pending", "confirmed"):
            return "gone"
        if current["status"] == "confirmed":
            return "already"
        now = self.clock()
        data = SubscriptionConfirmed(
            subscription_id=subscription_id, topic=current["topic"], email=current["email"],
            language=current.get("language") or "fi", municipality=current.get("municipality"),
            themes=tuple(current.get("themes") or ()), confirmed_at=now,
            source=current.get("source") or "subscription-form",
            unsubscribe_url=self.links.unsubscribe_url(subscription_id),
        )
        event = self.events.new_event(data, subject=subscription_id)
        done = await self.store.confirm_subscription(current["_id"], subscription_id, now, event)
        return "confirmed" if self.written(done, event) else "already"

    async def cancel(self, subscription_id: str, source: str = "unsubscribe-link") -> Cancelled:
        """'cancelled' (now), 'already' (earlier, or never confirmed) or 'gone' (unknown or erased)."""
        current = self.store.scope.only(await self.store.subscription_by_id(subscription_id))  # this region's
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

    async def cancel_withdrawn(self, email: str, topics: tuple[str, ...], source: str) -> list[Cancelled]:
        """Consent withdrawn in notify (one-click unsubscribe, its preference page): our records of those topics
        say the same (`cancel`: a redelivery finds them cancelled already and does nothing)."""
        outcomes: list[Cancelled] = []
        for topic in topics:
            current = await self.store.subscription(stable_key(self.region.code, topic, email.strip().lower()))
            if current is not None:
                outcomes.append(await self.cancel(current["subscription_id"], source=f"notify:{source}"))
        return outcomes
