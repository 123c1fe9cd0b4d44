"""use_cases/cases.py: a case from an idea (once), amendments, erasure, moves and assignment."""

from __future__ import annotations

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.errors import Forbidden, Invalid, Refused
from koonto.advisory.domain.lifecycle import TransitionRequest
from koonto.shared.contracts.intake import Consents, ErasureRequested, IdeaAmended
from tests.advisory.unit.conftest import COORDINATOR, advisor, context, events, open_case
from tests.support.samples import idea_submitted


async def test_an_idea_opens_one_case_with_one_case_opened(deps: AdvisoryContainer) -> None:
    idea = idea_submitted(reference="KOO-2026-0100")
    assert await deps.cases.open_case_from_idea(idea, context(idea))
    assert not await deps.cases.open_case_from_idea(idea, context(idea))  # a redelivery changes nothing
    [opened] = await events(deps, "case-opened")
    assert opened.data["case_id"] == case_id_for(idea.idea_id) and opened.data["reference"] == "KOO-2026-0100"
    assert "contact" not in opened.data
    case = await deps.views.case(case_id_for(idea.idea_id))
    assert case["stage"] == "idea" and case["version"] == 1 and case["sla"]["fired"] is False
    assert case["contact"]["email"] == idea.contact.email.lower()
    assert [e["kind"] for e in case["timeline"].values()] == ["opened"]


async def test_an_amendment_updates_description_and_contact(deps: AdvisoryContainer) -> None:
    idea = idea_submitted()
    await deps.cases.open_case_from_idea(idea, context(idea))
    amended = IdeaAmended(
        idea_id=idea.idea_id, reference=idea.reference, amended_at=idea.submitted_at,
        changed_fields=("description",), description="Uusi kuvaus",
    )
    await deps.cases.amend_case(amended)
    case = await deps.views.case(case_id_for(idea.idea_id))
    assert case["description"] == "Uusi kuvaus" and case["version"] == 2
    with pytest.raises(LookupError):  # before its idea-submitted: retried later by the consumer
        await deps.cases.amend_case(amended.model_copy(update={"idea_id": "idea-unknown"}))


async def test_erasure_removes_the_contact_and_message_texts(deps: AdvisoryContainer) -> None:
    idea = idea_submitted()
    case_id = await open_case(deps, idea_id=idea.idea_id)
    await deps.sessions.message_association(COORDINATOR, case_id, "Hei Maija, soitellaan!")
    erased = await deps.cases.erase_contact(
        ErasureRequested(
            request_id="erasure-1", email=idea.contact.email, idea_ids=(idea.idea_id,), requested_at=idea.submitted_at
        )
    )
    assert erased == 1
    case = await deps.views.case(case_id)
    assert case["contact"] is None and case["contact_erased"] is True and case["status_url"] is None
    assert [e["text"] for e in case["timeline"].values() if e["kind"] == "message"] == [None]
    assert idea.contact.name.lower() not in case["search"]


async def test_a_move_emits_stage_changed_and_a_refused_one_names_the_allowed(deps: AdvisoryContainer) -> None:
    case_id = await open_case(deps)
    await events(deps)
    moved = await deps.cases.transition(COORDINATOR, case_id, TransitionRequest(target="sparring"))
    assert moved["stage"] == "sparring" and moved["first_contact_at"] is not None
    [changed] = await events(deps, "stage-changed")
    assert changed.data["from_stage"] == "idea" and changed.data["to_stage"] == "sparring"
    with pytest.raises(Refused) as refused:
        await deps.cases.transition(COORDINATOR, case_id, TransitionRequest(target="funded"))
    assert refused.value.field == "to" and refused.value.extra["current"] == "sparring"
    assert await events(deps) == []


async def test_assignment_by_role(deps: AdvisoryContainer) -> None:
    case_id = await open_case(deps)
    niina = await advisor(deps)
    await events(deps)
    with pytest.raises(Forbidden):
        await deps.cases.assign(niina, case_id, COORDINATOR.staff_id)  # only to oneself
    with pytest.raises(Invalid):
        await deps.cases.assign(COORDINATOR, case_id, "staff-nobody")
    case = await deps.cases.assign(niina, case_id, niina.staff_id)
    assert case["advisor_id"] == niina.staff_id
    [assigned] = await events(deps, "case-assigned")
    assert assigned.data["advisor_id"] == niina.staff_id and assigned.data["previous_advisor_id"] is None
    await deps.cases.assign(niina, case_id, niina.staff_id)  # already hers: nothing new
    assert await events(deps) == []


async def test_the_partner_consent_is_kept_on_the_case_and_an_amendment_withdraws_it(deps: AdvisoryContainer) -> None:
    idea = idea_submitted(consents=Consents(privacy_notice=True, partner_introductions=True))
    await deps.cases.open_case_from_idea(idea, context(idea))
    case_id = case_id_for(idea.idea_id)
    assert (await deps.views.case(case_id))["partner_consent"] is True
    await deps.cases.amend_case(IdeaAmended(
        idea_id=idea.idea_id, reference=idea.reference, amended_at=idea.submitted_at,
        changed_fields=("consents.partner_introductions",), partner_introductions=False,
    ))
    case = await deps.views.case(case_id)
    assert case["partner_consent"] is False and case["description"] == idea.description
    other = idea_submitted()  # no consent given: the field's default
    await deps.cases.open_case_from_idea(other, context(other))
    assert (await deps.views.case(case_id_for(other.idea_id)))["partner_consent"] is False
