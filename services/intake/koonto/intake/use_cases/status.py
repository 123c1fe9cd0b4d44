"""What the association can do through its status link: amend the idea, or have its personal data erased."""

from __future__ import annotations

from dataclasses import dataclass

from koonto.intake.domain.amendments import Amendment
from koonto.intake.use_cases.base import UseCase
from koonto.shared.contracts.intake import Contact, ErasureRequested, IdeaAmended
from koonto.shared.ids import new_event_id
from koonto.shared.mongo import Document


@dataclass
class StatusActions(UseCase):
    async def amend(self, idea: Document, amendment: Amendment) -> bool:
        """True when the idea changed (an empty amendment, or an erased idea, changes nothing)."""
        if amendment.is_empty:
            return False
        data = IdeaAmended(
            idea_id=idea["_id"], reference=idea["reference"], amended_at=self.clock(),
            changed_fields=amendment.changed_fields,
            contact=Contact(**amendment.contact) if amendment.contact else None,
            description=amendment.description, partner_introductions=amendment.partner_introductions,
        )
        changes: Document = {}
        if amendment.contact:
            changes["contact"] = amendment.contact
        if amendment.description is not None:
            changes["description"] = amendment.description
        if amendment.partner_introductions is not None:
            changes["consents.partner_introductions"] = amendment.partner_introductions
        event = self.events.new_event(data, subject=idea["_id"])
        return self.written(await self.store.amend_idea(idea["_id"], changes, event), event)

    async def request_erasure(self, idea: Document) -> bool:
        """This idea's contact goes at once; the erasure-requested handler then erases the person's other copies."""
        contact = idea.get("contact")
        if not contact or idea.get("erased_at"):
            return False
        ideas = await self.store.ideas_of(contact["email"])
        data = ErasureRequested(
            request_id=new_event_id(), requested_at=self.clock(), email=contact["email"], phone=contact.get("phone"),
            language=contact.get("language", "fi"), idea_ids=tuple(sorted({idea["_id"], *ideas})),
        )
        event = self.events.new_event(data, subject=data.request_id)
        return self.written(await self.store.erase_idea_contact(idea["_id"], event), event)

    async def erase_person(self, event: ErasureRequested) -> None:
        """Everything intake keeps about the person of an erasure request, anonymised; safe to run again."""
        await self.store.erase_person(str(event.email), event.phone, event.idea_ids, event.request_id)
