"""Cases: opened, amended and erased from intake's events; moved through the lifecycle and assigned by staff."""

from __future__ import annotations

from koonto.advisory.domain.actor import SYSTEM, Actor
from koonto.advisory.domain.case import Case, lowered_contact
from koonto.advisory.domain.errors import Forbidden, Invalid, Refused
from koonto.advisory.domain.lifecycle import (
    CaseFacts,
    TransitionIncomplete,
    TransitionRefused,
    TransitionRequest,
    decide,
)
from koonto.advisory.domain.regions import works_in
from koonto.advisory.store import Conflict
from koonto.advisory.use_cases.common import Context
from koonto.advisory.use_cases.partners import Partners
from koonto.advisory.use_cases.results import ProjectResults
from koonto.shared.bus import EventContext
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended, IdeaSubmitted
from koonto.shared.mongo import Document
from koonto.shared.stages import STAGE_LABELS

RETRIES = 5


def _refused(exc: TransitionRefused) -> Refused:
    allowed = ", ".join(f"{t} ({STAGE_LABELS[t]})" for t in exc.allowed) or "-"
    return Refused(
        f"Siirto vaiheesta {exc.source} ({STAGE_LABELS.get(exc.source, exc.source)}) vaiheeseen "
        f"{exc.target} ei ole sallittu. Sallitut siirrot: {allowed}.",
        "to",
        allowed=list(exc.allowed),
        current=exc.source,
    )


class Cases:
    def __init__(self, context: Context, partners: Partners, results: ProjectResults) -> None:
        self.c = context
        self.partners = partners  # each case's partner profile follows the case
        self.results = results  # an erasure also takes the case's published results off the showcase

    # -- from intake -----------------------------------------------------------------------------------------
    async def open_case_from_idea(self, idea: IdeaSubmitted, ctx: EventContext) -> bool:
        """A redelivery (or a re-publish under another event id) finds the case already there: emits nothing."""
        case = Case.open(idea, region=ctx.envelope.region, now=self.c.now(), service_level=self.c.service_level)
        event = self.c.event(case.opened(), subject=case.id, ctx=ctx)
        opened = await self.c.store.open_case(case, event)
        if opened:
            self.c.written(event)
        # an erasure that came first: the case stays, without the person (checked after the write, so an erasure
        # recorded at the same moment is seen by one of the two)
        contact = idea.contact
        if await self.c.store.erasures.covers(
            email=str(contact.email), phone=contact.phone, idea_ids=[idea.idea_id], happened_at=idea.submitted_at
        ):
            stored = await self.c.store.case(case.id)
            if stored is not None and not stored.get("contact_erased"):
                await self._erase_case(stored)
        await self.partners.refresh(case.id)  # also on a redelivery: repairs a profile a crash left unwritten
        return opened

    async def amend_case(self, amended: IdeaAmended) -> None:
        store = self.c.store
        case = await store.case_by_idea(amended.idea_id)
        if case is None:
            raise LookupError(f"no case yet for idea {amended.idea_id}")  # transient: idea-submitted comes first
        changes: Document = {}
        if amended.description is not None:
            changes["description"] = amended.description
        if amended.contact is not None and not case.get("contact_erased"):
            changes["contact"] = lowered_contact(amended.contact)
        if amended.partner_introductions is not None:
            changes["partner_consent"] = amended.partner_introductions
        entry = self.c.entry("amended", SYSTEM, ", ".join(amended.changed_fields))
        changes[f"timeline.{entry['id']}"] = entry
        for _ in range(RETRIES):
            try:
                await store.update_case(case["_id"], case["version"], changes)
                await self.partners.refresh(case["_id"])
                return
            except Conflict:
                case = await store.case_by_idea(amended.idea_id) or case
        raise Conflict(case["_id"])

    async def erase_contact(self, request: ErasureRequested) -> int:
        """GDPR erasure: contact details leave every case of the person; the case itself stays for statistics."""
        store = self.c.store
        email = str(request.email)
        await store.erasures.record(request_id=request.request_id, at=request.requested_at, email=email,
                                    phone=request.phone, idea_ids=request.idea_ids)
        erased = await store.erase_registrations(email.lower())
        await store.advice.erase_bookings(email.lower(), request.idea_ids)
        for case in await store.cases_of_idea_or_contact(request.idea_ids, email):
            await self._erase_case(case)
            erased += 1
        return erased

    async def _erase_case(self, case: Document) -> None:
        store = self.c.store
        for _ in range(RETRIES):
            changes = Case.from_document(case).erase_contact(self.c.now())
            events = []
            if case.get("results"):
                withdrawn, event = self.results.withdrawal(case, SYSTEM, "erasure")
                changes, events = {**changes, **withdrawn}, [event]
            try:
                await store.update_case(case["_id"], case["version"], changes, *events)
                self.c.written(*events)
                await self.partners.refresh(case["_id"])  # the person leaves every suggestion
                return
            except Conflict:
                case = await store.case(case["_id"]) or case
        raise Conflict(case["_id"])

    # -- staff work ------------------------------------------------------------------------------------------
    async def transition(self, actor: Actor, case_id: str, request: TransitionRequest) -> Document:
        doc = await self.c.case(case_id)
        known_call = True
        if request.call_id:
            known_call = await self.c.store.call(request.call_id) is not None
        case = Case.from_document(doc)
        facts = CaseFacts(
            stage=case.stage,
            call_id=case.call_id,
            amount_applied_eur=case.amount_applied_eur,
            amount_granted_eur=case.amount_granted_eur,
        )
        try:
            decision = decide(facts, request, known_call=known_call)
        except TransitionRefused as exc:
            raise _refused(exc) from None
        except TransitionIncomplete as exc:
            raise Invalid(exc.message, exc.field) from None
        changes, data = case.move(actor, request.target, decision, self.c.now())
        return await self.c.change_case(doc, changes, self.c.event(data, subject=case_id))

    async def assign(self, actor: Actor, case_id: str, advisor_id: str) -> Document:
        doc = await self.c.case(case_id)  # first: another region's case is not found, whoever asks
        region = self.c.store.scope.region_of(doc)
        if not actor.has_in(region, "coordinator") and advisor_id != actor.staff_id:
            raise Forbidden("Voit ottaa tapauksen itsellesi; muille jakaa koordinaattori.")
        advisor = await self.c.active_staff(advisor_id)
        if advisor is None or not works_in(advisor, region, self.c.served[0], "advisor", "coordinator"):
            raise Invalid("Valitse aktiivinen neuvoja.", "advisor_id")
        if doc.get("advisor_id") == advisor_id:
            return doc
        changes, data = Case.from_document(doc).assign(actor, advisor_id, advisor["name"], self.c.now())
        return await self.c.change_case(doc, changes, self.c.event(data, subject=case_id))
