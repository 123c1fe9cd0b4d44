"""A case: an association's idea on its way through the advisory pipeline.

`Case.open` builds a new case from intake's idea-submitted; the methods of a case return the changes a decided
step makes and the event it causes, for the use case to write in one go. Pure: no store, no bus.
"""

from __future__ import annotations

import uuid
from dataclasses import MISSING, asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from koonto.advisory.domain.actor import SYSTEM, Actor
from koonto.advisory.domain.errors import Refused
from koonto.advisory.domain.lifecycle import Decision
from koonto.advisory.domain.schedule import ServiceLevel
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.advisory import (
    AssociationMessaged,
    CaseAssigned,
    CaseOpened,
    CaseOrganisation,
    SessionLogged,
    StageChanged,
)
from koonto.shared.contracts.intake import IdeaSubmitted
from koonto.shared.ids import new_event_id

CASE_NAMESPACE = uuid.UUID("6f1c4b8e-4b7a-4c59-9a55-2a0c6f8e9d10")

Document = dict[str, Any]


def case_id_for(idea_id: str) -> str:
    """Derived from the idea id: a redelivered idea-submitted can never open a second case."""
    return f"case-{uuid.uuid5(CASE_NAMESPACE, idea_id)}"


def search_text(*parts: str | None) -> str:
    return " ".join(p for p in parts if p).lower()


def timeline_entry(kind: str, actor: Actor, at: datetime, text: str | None = None, **data: Any) -> Document:
    """One entry of a case's timeline (kept as a map keyed by the entry's time-ordered id)."""
    entry_id = new_event_id()
    return {"id": entry_id, "at": at, "kind": kind, "by": actor.staff_id, "by_name": actor.name, "text": text, **data}


def lowered_contact(contact: Any) -> Document:
    doc: Document = contact.model_dump()
    doc["email"] = doc["email"].lower()
    return doc


@dataclass
class Case:
    """The state of a case as it is stored (one document)."""

    _id: str
    region: str
    idea_id: str
    reference: str
    title: str
    description: str
    organisation: Document
    themes: list[str]
    target_groups: list[str]
    estimated_budget_eur: int | None
    schedule: str | None
    publication_consent: bool
    status_url: str | None
    contact: Document | None
    opened_at: datetime
    idea_submitted_at: datetime
    stage_changed_at: datetime
    sla: Document
    timeline: dict[str, Document]
    search: str
    contact_erased: bool = False
    partner_consent: bool = False  # may be introduced to associations with similar ideas (intake's consent)
    attachments: list[Document] = field(default_factory=list)  # metadata only; the bytes stay in intake
    stage: str = "idea"
    advisor_id: str | None = None
    call_id: str | None = None
    amount_applied_eur: int | None = None
    amount_granted_eur: int | None = None
    public_summary: str | None = None
    first_contact_at: datetime | None = None
    version: int = 1
    extra: Document = field(default_factory=dict)  # stored fields this model does not name

    @property
    def id(self) -> str:
        return self._id

    # -- building ------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, idea: IdeaSubmitted, *, region: str, now: datetime, service_level: ServiceLevel) -> Case:
        opened_on: date = now.astimezone(HELSINKI).date()
        entry = timeline_entry("opened", SYSTEM, now, None, stage="idea")
        org = idea.organisation
        return cls(
            _id=case_id_for(idea.idea_id), region=region, idea_id=idea.idea_id, reference=idea.reference,
            title=idea.title, description=idea.description, organisation=org.model_dump(),
            themes=list(idea.themes), target_groups=list(idea.target_groups),
            estimated_budget_eur=idea.estimated_budget_eur, schedule=idea.schedule,
            publication_consent=idea.consents.publication, partner_consent=idea.consents.partner_introductions,
            status_url=idea.status_url, attachments=[a.model_dump() for a in idea.attachments],
            contact=lowered_contact(idea.contact), opened_at=now, idea_submitted_at=idea.submitted_at,
            stage_changed_at=now,
            sla={
                "deadline": service_level.deadline(opened_on).isoformat(),
                "fires_on": service_level.lapses_on(opened_on).isoformat(),
                "fired": False,
            },
            timeline={entry["id"]: entry},
            search=search_text(
                idea.reference, idea.title, org.name, org.municipality, org.business_id, idea.contact.name,
                idea.contact.email,
            ),
        )

    @classmethod
    def from_document(cls, doc: Document) -> Case:
        """A stored case (a field it lacks takes its default, or None; fields it does not name are kept)."""
        fields = {name: f for name, f in cls.__dataclass_fields__.items() if name != "extra"}
        known: dict[str, Any] = {
            name: doc[name] if name in doc else (None if f.default is MISSING else f.default)
            for name, f in fields.items()
        }
        return cls(**known, extra={k: v for k, v in doc.items() if k not in fields})

    def to_document(self) -> Document:
        doc = asdict(self)
        return {**doc.pop("extra"), **doc}

    # -- what a case says about itself --------------------------------------------------------------------
    def opened(self) -> CaseOpened:
        org = self.organisation
        return CaseOpened(
            case_id=self.id, idea_id=self.idea_id, reference=self.reference, opened_at=self.opened_at,
            idea_submitted_at=self.idea_submitted_at, title=self.title,
            organisation=CaseOrganisation(
                name=org["name"], type=org["type"], business_id=org.get("business_id"),
                municipality=org["municipality"],
            ),
            themes=tuple(self.themes), publication_consent=self.publication_consent,
        )

    def first_contact(self, now: datetime) -> Document:
        """The field a first contact sets (nothing once the case has had one)."""
        return {} if self.first_contact_at else {"first_contact_at": now}

    # -- steps: (changes, event) ---------------------------------------------------------------------------
    def move(self, actor: Actor, target: str, decision: Decision, now: datetime) -> tuple[Document, StageChanged]:
        event = StageChanged(
            case_id=self.id, idea_id=self.idea_id, reference=self.reference, from_stage=self.stage,  # type: ignore[arg-type]
            to_stage=target, reason=decision.reason, changed_by=actor.staff_id, changed_at=now,  # type: ignore[arg-type]
            call_id=decision.call_id, amount_applied_eur=decision.amount_applied_eur,
            amount_granted_eur=decision.amount_granted_eur, public_summary=decision.public_summary,
        )
        entry = timeline_entry(
            "stage", actor, now, decision.reason, from_stage=self.stage, to_stage=target, call_id=decision.call_id,
            amount_applied_eur=decision.amount_applied_eur, amount_granted_eur=decision.amount_granted_eur,
            public_summary=decision.public_summary,
        )
        changes: Document = {
            "stage": target,
            "stage_changed_at": now,
            "call_id": decision.call_id,
            "amount_applied_eur": decision.amount_applied_eur,
            "amount_granted_eur": decision.amount_granted_eur,
            f"timeline.{entry['id']}": entry,
            **self.first_contact(now),
        }
        if decision.public_summary is not None:
            changes["public_summary"] = decision.public_summary
        return changes, event

    def assign(self, actor: Actor, advisor_id: str, advisor_name: str, now: datetime) -> tuple[Document, CaseAssigned]:
        event = CaseAssigned(
            case_id=self.id, reference=self.reference, advisor_id=advisor_id, previous_advisor_id=self.advisor_id,
            assigned_by=actor.staff_id, assigned_at=now,
        )
        entry = timeline_entry("assigned", actor, now, None, advisor_id=advisor_id, advisor_name=advisor_name)
        return {"advisor_id": advisor_id, f"timeline.{entry['id']}": entry}, event

    def log_session(
        self, actor: Actor, session_id: str, *, kind: str, started_at: datetime, duration_minutes: int,
        topics: list[str], note: str | None, now: datetime,
    ) -> tuple[Document, Document, SessionLogged]:
        """An advice session held (the values checked by the use case), the case's first contact if it is the
        first: its timeline entry, the changes (the entry among them) and the event."""
        event = SessionLogged(
            session_id=session_id, case_id=self.id, idea_id=self.idea_id, kind=kind,  # type: ignore[arg-type]
            started_at=started_at, duration_minutes=duration_minutes, topics=tuple(topics), advisor_id=actor.staff_id,
        )
        entry = timeline_entry(
            "session", actor, now, note, session_id=session_id, session_kind=kind, started_at=started_at,
            duration_minutes=duration_minutes, topics=topics,
        )
        return entry, {f"timeline.{entry['id']}": entry, **self.first_contact(now)}, event

    def message(
        self, actor: Actor, message_id: str, body: str, now: datetime
    ) -> tuple[Document, Document, AssociationMessaged]:
        """A message to the association (notify delivers it), refused once the contact details are erased: its
        timeline entry, the changes (the entry) and the event."""
        if self.contact_erased or not self.contact:
            raise Refused("Yhteyshenkilön tiedot on poistettu; viestiä ei voi lähettää.", "body")
        event = AssociationMessaged(
            message_id=message_id, case_id=self.id, idea_id=self.idea_id, reference=self.reference,
            advisor_id=actor.staff_id, advisor_name=actor.name[:200] or "Koonto", body=body, sent_at=now,
        )
        entry = timeline_entry("message", actor, now, body, message_id=message_id)
        return entry, {f"timeline.{entry['id']}": entry}, event

    def erase_contact(self, now: datetime) -> Document:
        """GDPR erasure: contact details leave the case (and message bodies that may quote the person); the
        case itself stays for statistics."""
        entry = timeline_entry("erased", SYSTEM, now, None)
        org = self.organisation
        changes: Document = {
            "contact": None,
            "contact_erased": True,
            "status_url": None,
            "attachments": [],  # intake deletes the files; their names may name the person
            f"timeline.{entry['id']}": entry,
            "search": search_text(self.reference, self.title, org["name"], org.get("municipality"),
                                  org.get("business_id")),
        }
        for key, item in (self.timeline or {}).items():
            if item.get("kind") == "message":
                changes[f"timeline.{key}.text"] = None
        return changes
