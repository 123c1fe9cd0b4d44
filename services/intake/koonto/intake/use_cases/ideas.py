"""Submitting a project idea: duplicates and Idempotency-Key replays, the reference, the consents.

The same text again within the duplicate window is the same idea (same reference, nothing stored); an
Idempotency-Key sent again is answered with the idea it was first used for. Each new idea takes a number of its
region and year that no other idea has, even with several replicas writing at once; numbers come from per-replica
blocks that a stopping replica hands back, so none is skipped (`domain/reference.py`).
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
from koonto.intake.use_cases.references import References
from koonto.intake.use_cases.subscriptions import Subscriptions
from koonto.shared.clock import as_utc, helsinki
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.intake import Attachment, Consents, Contact, IdeaSubmitted, Organisation
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
    references: References

    async def submit(
        self, draft: IdeaDraft, *, idempotency_key: str | None = None, correlation_id: str | None = None,
        upload_id: str | None = None, attachments: tuple[Attachment, ...] = (),
    ) -> Submission:
        """Raises IdempotencyConflict when the key was used before with another idea.

        One store write for a new idea: the insert itself decides a double submit (unique indexes) and the number
        comes from this replica's block (`References`); a duplicate costs one read more and gives its number back.
        """
        now = self.clock()
        fingerprint = draft.fingerprint()
        key = f"key:{idempotency_key}" if idempotency_key else None
        counter = counter_key(self.region.reference_prefix, helsinki(now).year)
        idea_id = new_event_id()
        for _ in range(MAX_REFERENCE_ATTEMPTS):
            sequence = await self.references.take(counter)
            doc, event = self._idea(draft, now, idea_id, fingerprint, key, sequence, correlation_id, attachments)
            doc["upload_id"] = upload_id
            try:
                earlier = await self.store.record_idea(doc, event)
            except ReferenceTaken:  # another replica holds this block too (a store lost a counter update): it used
                continue  # this number, so the next one is tried; a number is never skipped unless it was used
            if earlier is None:
                self.written(True, event)
                await self._ask_consented_subscriptions(draft, correlation_id)
                return Submission(idea_id, doc["reference"], event.data["status_url"], replayed=False)
            self.references.give_back(counter, sequence)
            replayed = None
            if key is not None and earlier.get("idempotency_key") == key:
                replayed = self._replay(earlier, fingerprint)  # the key sent again: its idea, or a conflict
            elif self._within_duplicate_window(epoch_ms(as_utc(earlier["submitted_at"])), now):
                replayed = self._replay(earlier, None)  # the same idea again: its reference
            if replayed is not None:
                # the first attempt may have stored the idea and failed before asking for the subscriptions (a
                # store timeout): asking again is a no-op for a subscription already requested
                await self._ask_consented_subscriptions(draft, correlation_id)
                return replayed
            # the same text long after: the old idea gives its fingerprint up and this one is stored
            await self.store.release_fingerprint(earlier["_id"], fingerprint)
        raise RuntimeError(f"no free reference after {MAX_REFERENCE_ATTEMPTS} attempts")

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

    def _idea(
        self, draft: IdeaDraft, now: datetime, idea_id: str, fingerprint: str, key: str | None, sequence: int,
        correlation_id: str | None, attachments: tuple[Attachment, ...] = (),
    ) -> tuple[Document, Envelope]:
        """The idea's document and its event under reference number `sequence`."""
        reference = format_reference(self.region.reference_prefix, helsinki(now).year, sequence)
        status_url = self.links.status_url(idea_id)
        data = IdeaSubmitted(
            idea_id=idea_id, reference=reference, submitted_at=now,
            organisation=Organisation(**draft.organisation), contact=Contact(**draft.contact), title=draft.title,
            description=draft.description, themes=draft.themes, target_groups=draft.target_groups,
            estimated_budget_eur=draft.estimated_budget_eur, schedule=draft.schedule,
            consents=Consents(**draft.consents), status_url=status_url, attachments=attachments,
        )
        event = self.events.new_event(data, subject=idea_id, correlation_id=correlation_id)
        doc = {
            "_id": idea_id, "reference": reference, "region": self.region.code, "submitted_at": now,
            "fingerprint": fingerprint, "fingerprint_key": fingerprint, "idempotency_key": key or f"none:{idea_id}",
            **draft.as_dict(), "stage": INITIAL_STAGE, "stage_changed_at": None, "stage_changed_ms": 0,
            "erased_at": None,
            "attachments": [a.model_dump() for a in attachments],
        }
        return doc, event

    def _within_duplicate_window(self, submitted_ms: int, now: datetime) -> bool:
        return epoch_ms(now) - submitted_ms <= self.settings.duplicate_window_hours * 3_600_000

    def _replay(self, idea: Document, fingerprint: str | None) -> Submission:
        if fingerprint is not None and idea.get("fingerprint") != fingerprint:
            raise IdempotencyConflict
        return Submission(idea["_id"], idea["reference"], self.links.status_url(idea["_id"]), replayed=True)
