"""Intake's application services: what a submission, a sign-up or a status-link action does, start to end.

The web layer (API and HTML forms alike) validates with the domain and calls these; each one ends in a
single-document write that carries its events in the outbox, then hands those events to the relay
(`relay.notify(event)`), which publishes them at once without reading them back.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter

from koonto.intake.domain.amendments import Amendment
from koonto.intake.domain.ideas import OTHER_MUNICIPALITY, IdeaDraft
from koonto.intake.domain.rate_limit import TokenBuckets
from koonto.intake.domain.reference import counter_key, format_reference
from koonto.intake.domain.registrations import RegistrationDraft, is_open_for_registration
from koonto.intake.domain.stages import INITIAL_STAGE
from koonto.intake.domain.subscriptions import on_request
from koonto.intake.links import Links
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import IntakeStore, ReferenceTaken, epoch_ms
from koonto.shared.clock import as_utc, helsinki, utcnow
from koonto.shared.contracts.intake import (
    Consents,
    Contact,
    ErasureRequested,
    IdeaAmended,
    IdeaSubmitted,
    Organisation,
    RegistrationReceived,
    SubscriptionCancelled,
    SubscriptionConfirmed,
    SubscriptionRequested,
)
from koonto.shared.ids import new_event_id
from koonto.shared.runtime import Runtime

BOTS = Counter("koonto_intake_bot_submissions_total", "Submissions answered normally but dropped", ["reason"])
RATE_LIMITED = Counter("koonto_intake_rate_limited_total", "Requests refused by the rate limit")
CONSENT_TOPICS = ("call_announcements", "newsletter")
MAX_REFERENCE_ATTEMPTS = 50


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before with a different idea."""


class EventNotOpen(Exception):
    """The training or forum is unknown, past or already held."""


@dataclass(frozen=True)
class Submission:
    idea_id: str
    reference: str
    status_url: str
    replayed: bool


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class IntakeService:
    def __init__(self, runtime: Runtime, store: IntakeStore, links: Links) -> None:
        self.runtime = runtime
        self.store = store
        self.links = links
        settings: IntakeSettings = runtime.settings  # type: ignore[assignment]
        self.settings = settings
        self.rate_limits = TokenBuckets(settings.rate_limit_requests, settings.rate_limit_window_seconds)

    @property
    def region(self) -> Any:
        return self.runtime.region

    # -- ideas ---------------------------------------------------------------------------------------------
    async def submit_idea(
        self, draft: IdeaDraft, *, idempotency_key: str | None = None, correlation_id: str | None = None
    ) -> Submission:
        now = utcnow()
        fingerprint = draft.fingerprint()
        by_key, earlier = await self.store.earlier_ideas(
            fingerprint, f"key:{idempotency_key}" if idempotency_key else None
        )
        if by_key is not None:
            return self._replay(by_key, fingerprint)
        if earlier is not None:
            if self._within_duplicate_window(earlier["submitted_ms"], now):
                return self._replay(earlier, None)
            await self.store.release_fingerprint(earlier["_id"], fingerprint)

        contact = draft.contact
        municipality = draft.organisation["municipality"]
        for topic in CONSENT_TOPICS:
            if draft.consents.get(topic):
                await self.request_subscription(
                    email=contact["email"], topic=topic, language=contact["language"],
                    municipality=None if municipality == OTHER_MUNICIPALITY else municipality, source="idea-form",
                    correlation_id=correlation_id,
                )

        year = helsinki(now).year
        idea_id = new_event_id()
        status_url = self.links.status_url(idea_id)
        for _ in range(MAX_REFERENCE_ATTEMPTS):
            # FerretDB v1 does not apply concurrent updates of one document atomically: two requests can be handed
            # the same number. The unique index on the reference refuses the second, which takes the next number;
            # no number is skipped. (Not a lock around the counter: that capped throughput at 1 / its latency.)
            sequence = await self.store.next_sequence(counter_key(self.region.reference_prefix, year))
            reference = format_reference(self.region.reference_prefix, year, sequence)
            data = IdeaSubmitted(
                idea_id=idea_id, reference=reference, submitted_at=now,
                organisation=Organisation(**draft.organisation), contact=Contact(**contact), title=draft.title,
                description=draft.description, themes=draft.themes, target_groups=draft.target_groups,
                estimated_budget_eur=draft.estimated_budget_eur, schedule=draft.schedule,
                consents=Consents(**draft.consents), status_url=status_url,
            )
            event = self.runtime.new_event(data, subject=idea_id, correlation_id=correlation_id)
            doc = {
                "_id": idea_id, "reference": reference, "region": self.region.code, "submitted_at": now,
                "fingerprint": fingerprint, "fingerprint_key": fingerprint,
                "idempotency_key": f"key:{idempotency_key}" if idempotency_key else f"none:{idea_id}",
                **draft.as_dict(), "stage": INITIAL_STAGE, "stage_changed_at": None, "stage_changed_ms": 0,
                "erased_at": None,
            }
            try:
                winner = await self.store.record_idea(doc, event)
            except ReferenceTaken:
                continue  # another replica (or a lost counter update) used this number: the reference takes the next
            break
        else:
            raise RuntimeError(f"no free reference after {MAX_REFERENCE_ATTEMPTS} attempts")
        if winner is not None and winner.get("fingerprint_key") == fingerprint and not (
            idempotency_key and winner.get("idempotency_key") == doc["idempotency_key"]
        ) and not self._within_duplicate_window(epoch_ms(as_utc(winner["submitted_at"])), now):
            # an idea stored before its key pointers existed, and older than the window: it gives the fingerprint
            # up and this one is stored under the reference already taken (no gap in the sequence)
            await self.store.release_fingerprint(winner["_id"], fingerprint)
            winner = await self.store.record_idea(doc, event)
        if winner is not None:  # the same idea (or key) was stored by a concurrent request a moment ago
            return self._replay(winner, fingerprint if idempotency_key else None)
        self.runtime.relay.notify(event)
        return Submission(idea_id, reference, status_url, replayed=False)

    def _within_duplicate_window(self, submitted_ms: int, now: datetime) -> bool:
        return epoch_ms(now) - submitted_ms <= self.settings.duplicate_window_hours * 3_600_000

    def _replay(self, idea: dict[str, Any], fingerprint: str | None) -> Submission:
        if fingerprint is not None and idea.get("fingerprint") != fingerprint:
            raise IdempotencyConflict
        return Submission(idea["_id"], idea["reference"], self.links.status_url(idea["_id"]), replayed=True)

    async def amend_idea(self, idea: dict[str, Any], amendment: Amendment) -> bool:
        if amendment.is_empty:
            return False
        now = utcnow()
        data = IdeaAmended(
            idea_id=idea["_id"], reference=idea["reference"], amended_at=now,
            changed_fields=amendment.changed_fields,
            contact=Contact(**amendment.contact) if amendment.contact else None,
            description=amendment.description,
        )
        changes: dict[str, Any] = {}
        if amendment.contact:
            changes["contact"] = amendment.contact
        if amendment.description is not None:
            changes["description"] = amendment.description
        event = self.runtime.new_event(data, subject=idea["_id"])
        done = await self.store.amend_idea(idea["_id"], changes, event)
        if done:
            self.runtime.relay.notify(event)
        return done

    async def request_erasure(self, idea: dict[str, Any]) -> bool:
        contact = idea.get("contact")
        if not contact or idea.get("erased_at"):
            return False
        ideas = await self.store.ideas_of(contact["email"])
        data = ErasureRequested(
            request_id=new_event_id(), requested_at=utcnow(), email=contact["email"], phone=contact.get("phone"),
            language=contact.get("language", "fi"), idea_ids=tuple(sorted({idea["_id"], *ideas})),
        )
        event = self.runtime.new_event(data, subject=data.request_id)
        done = await self.store.erase_idea_contact(idea["_id"], event)
        if done:
            self.runtime.relay.notify(event)
        return done

    # -- registrations -------------------------------------------------------------------------------------
    async def register(self, draft: RegistrationDraft) -> tuple[dict[str, Any], bool]:
        """Returns (registration, replayed). Raises EventNotOpen."""
        now = utcnow()
        event = await self.store.scheduled_event(draft.scheduled_event_id)
        if event is None or not is_open_for_registration(as_utc(event["starts_at"]), event.get("held", False), now):
            raise EventNotOpen
        key = _key(draft.scheduled_event_id, draft.participant["email"])
        earlier = await self.store.registration_by_key(key)
        if earlier is not None:
            return earlier, True
        seat = await self.store.claim_seat(draft.scheduled_event_id, int(event["capacity"]))
        registration_id = new_event_id()
        data = RegistrationReceived(
            registration_id=registration_id, scheduled_event_id=draft.scheduled_event_id, status=seat.status,
            received_at=now, participant=Contact(**draft.participant), organisation_name=draft.organisation_name,
            municipality=draft.municipality, position_on_waitlist=seat.position_on_waitlist,
        )
        doc = {
            "_id": registration_id, "key": key, "region": self.region.code,
            "scheduled_event_id": draft.scheduled_event_id, "event_title": event["title"],
            "event_starts_at": event["starts_at"], "status": seat.status,
            "position_on_waitlist": seat.position_on_waitlist, "received_at": now, "participant": draft.participant,
            "organisation_name": draft.organisation_name, "municipality": draft.municipality,
            "erased_at": None,
        }
        received = self.runtime.new_event(data, subject=registration_id)
        winner = await self.store.record_registration(doc, received)
        if winner is not None:
            await self.store.give_seat_back(draft.scheduled_event_id, seat)
            return winner, True
        self.runtime.relay.notify(received)
        return doc, False

    # -- subscriptions -------------------------------------------------------------------------------------
    async def request_subscription(
        self, *, email: str, topic: str, language: str, municipality: str | None, source: str,
        correlation_id: str | None = None,
    ) -> bool:
        """Double opt-in, step one. True when a confirmation mail was asked for."""
        now = utcnow()
        key = _key(self.region.code, topic, email)
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
        event = self.runtime.new_event(data, subject=subscription_id, correlation_id=correlation_id)
        fields = {
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
        if done:
            self.runtime.relay.notify(event)
        return done

    async def confirm_subscription(self, subscription_id: str) -> str:
        """'confirmed' (now), 'already' (earlier) or 'gone' (cancelled, erased or unknown)."""
        current = await self.store.subscription_by_id(subscription_id)
        if current is None or current["status"] not in ("pending", "confirmed"):
            return "gone"
        if current["status"] == "confirmed":
            return "already"
        now = utcnow()
        data = SubscriptionConfirmed(
            subscription_id=subscription_id, topic=current["topic"], email=current["email"],
            language=current.get("language") or "fi", municipality=current.get("municipality"), confirmed_at=now,
            source=current.get("source") or "subscription-form",
            unsubscribe_url=self.links.unsubscribe_url(subscription_id),
        )
        event = self.runtime.new_event(data, subject=subscription_id)
        if await self.store.confirm_subscription(subscription_id, now, event):
            self.runtime.relay.notify(event)
            return "confirmed"
        return "already"

    async def cancel_subscription(self, subscription_id: str, source: str = "unsubscribe-link") -> str:
        """'cancelled' (now), 'already' (earlier, or never confirmed) or 'gone' (unknown or erased)."""
        current = await self.store.subscription_by_id(subscription_id)
        if current is None or current["status"] == "erased":
            return "gone"
        if current["status"] != "confirmed":
            return "already"
        now = utcnow()
        data = SubscriptionCancelled(
            subscription_id=subscription_id, topic=current["topic"], email=current["email"], cancelled_at=now,
            source=source,
        )
        event = self.runtime.new_event(data, subject=subscription_id)
        if await self.store.cancel_subscription(subscription_id, now, event):
            self.runtime.relay.notify(event)
            return "cancelled"
        return "already"

    # -- abuse ---------------------------------------------------------------------------------------------
    async def count_bot(self, reason: str) -> None:
        BOTS.labels(reason).inc()
        await self.store.count_abuse(reason)

    def over_rate_limit(self, client: str, now: float | None = None) -> int | None:
        """Seconds until the client may try again, or None when within the limit (this replica's count)."""
        retry_after = self.rate_limits.take(client, time.monotonic() if now is None else now)
        if retry_after is not None:
            RATE_LIMITED.inc()
        return retry_after

    def forget_idle_clients(self) -> int:
        return self.rate_limits.forget_full(time.monotonic())
