"""Submitting a project idea: duplicates and Idempotency-Key replays, the reference, the consents.

The same text again within the duplicate window is the same idea (same reference, nothing stored); an
Idempotency-Key sent again is answered with the idea it was first used for. Each new idea takes the next
number of its region and year without gaps, even with several replicas writing at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from koonto.intake.domain.errors import IdempotencyConflict
from koonto.intake.domain.ideas import OTHER_MUNICIPALITY, IdeaDraft
from koonto.intake.domain.reference import counter_key, format_reference
from koonto.intake.domain.stages import INITIAL_STAGE
from koonto.intake.store import ReferenceTaken
from koonto.intake.use_cases.base import UseCase
from koonto.intake.use_cases.subscriptions import Subscriptions
from koonto.shared.clock import as_utc, helsinki
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.intake import Consents, Contact, IdeaSubmitted, Organisation
from koonto.shared.ids import new_event_id
from koonto.shared.mongo import Document, epoch_ms

CONSENT_TOPICS = ("call_announcements", "newsletter")
MAX_REFERENCE_ATTEMPTS = 50


@dataclass(frozen=True)
class Submission:
    idea_id: str
    reference: str
    status_url: str
    replayed: bool


@dataclass
class IdeaSubmissions(UseCase):
    subscriptions: Subscriptions

    async def submit(
        self, draft: IdeaDraft, *, idempotency_key: str | None = None, correlation_id: str | None = None
    ) -> Submission:
        """Raises IdempotencyConflict when the key was used before with another idea."""
        now = self.clock()
        fingerprint = draft.fingerprint()
        key = f"key:{idempotency_key}" if idempotency_key else None
        by_key, earlier = await self.store.earlier_ideas(fingerprint, key)
        if by_key is not None:
            return self._replay(by_key, fingerprint)
        if earlier is not None:
            if self._within_duplicate_window(earlier["submitted_ms"], now):
                return self._replay(earlier, None)
            await self.store.release_fingerprint(earlier["_id"], fingerprint)
        await self._ask_consented_subscriptions(draft, correlation_id)
        doc, event, winner = await self._store_with_next_reference(draft, now, fingerprint, key, correlation_id)
        if winner is not None and winner.get("fingerprint_key") == fingerprint and not (
            key and winner.get("idempotency_key") == key
        ) and not self._within_duplicate_window(epoch_ms(as_utc(winner["submitted_at"])), now):
            # an idea stored before its key pointers existed, and older than the window: it gives the fingerprint
            # up and this one is stored under the reference already taken (no gap in the sequence)
            await self.store.release_fingerprint(winner["_id"], fingerprint)
            winner = await self.store.record_idea(doc, event)
        if winner is not None:  # the same idea (or key) was stored by a concurrent request a moment ago
            return self._replay(winner, fingerprint if idempotency_key else None)
        self.written(True, event)
        return Submission(doc["_id"], doc["reference"], event.data["status_url"], replayed=False)

    async def _ask_consented_subscriptions(self, draft: IdeaDraft, correlation_id: str | None) -> None:
        contact = draft.contact
        municipality = draft.organisation["municipality"]
        topics = tuple(topic for topic in CONSENT_TOPICS if draft.consents.get(topic))
        if topics:  # one confirmation mail for the topics ticked on the form
            await self.subscriptions.request_topics(
                email=contact["email"], topics=topics, language=contact["language"],
                municipality=None if municipality == OTHER_MUNICIPALITY else municipality, source="idea-form",
                correlation_id=correlation_id,
            )

    async def _store_with_next_reference(
        self, draft: IdeaDraft, now: datetime, fingerprint: str, key: str | None, correlation_id: str | None
    ) -> tuple[Document, Envelope, Document | None]:
        """(the idea, its event, the idea it duplicates if one won a race): stored under the next free number.

        Some supported stores do not apply concurrent updates of one document atomically: two requests can be
        handed the same number. The unique index on the reference refuses the second, which takes the next
        number; no number is skipped. (Not a lock around the counter: that capped throughput at 1 / its latency.)
        """
        year = helsinki(now).year
        idea_id = new_event_id()
        status_url = self.links.status_url(idea_id)
        for _ in range(MAX_REFERENCE_ATTEMPTS):
            sequence = await self.store.next_sequence(counter_key(self.region.reference_prefix, year))
            reference = format_reference(self.region.reference_prefix, year, sequence)
            data = IdeaSubmitted(
                idea_id=idea_id, reference=reference, submitted_at=now,
                organisation=Organisation(**draft.organisation), contact=Contact(**draft.contact), title=draft.title,
                description=draft.description, themes=draft.themes, target_groups=draft.target_groups,
                estimated_budget_eur=draft.estimated_budget_eur, schedule=draft.schedule,
                consents=Consents(**draft.consents), status_url=status_url,
            )
            event = self.events.new_event(data, subject=idea_id, correlation_id=correlation_id)
            doc = {
                "_id": idea_id, "reference": reference, "region": self.region.code, "submitted_at": now,
                "fingerprint": fingerprint, "fingerprint_key": fingerprint,
                "idempotency_key": key or f"none:{idea_id}",
                **draft.as_dict(), "stage": INITIAL_STAGE, "stage_changed_at": None, "stage_changed_ms": 0,
                "erased_at": None,
            }
            try:
                return doc, event, await self.store.record_idea(doc, event)
            except ReferenceTaken:
                continue  # another replica (or a lost counter update) used this number: take the next
        raise RuntimeError(f"no free reference after {MAX_REFERENCE_ATTEMPTS} attempts")

    def _within_duplicate_window(self, submitted_ms: int, now: datetime) -> bool:
        return epoch_ms(now) - submitted_ms <= self.settings.duplicate_window_hours * 3_600_000

    def _replay(self, idea: Document, fingerprint: str | None) -> Submission:
        if fingerprint is not None and idea.get("fingerprint") != fingerprint:
            raise IdempotencyConflict
        return Submission(idea["_id"], idea["reference"], self.links.status_url(idea["_id"]), replayed=True)
