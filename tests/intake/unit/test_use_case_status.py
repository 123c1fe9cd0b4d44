"""The status link's actions (use_cases/status.py): amending an idea, and erasing the person everywhere."""

from __future__ import annotations

from koonto.intake.domain.amendments import validate_amendment
from koonto.shared.contracts.intake import ErasureRequested
from tests.intake.unit.conftest import deliver, draft, events_of, scheduled, sign_up, types


async def stored_idea(intake, **overrides):
    submission = await intake.ideas.submit(draft(intake, **overrides))
    await events_of(intake)
    return await intake.views.idea(submission.idea_id)


async def test_an_amendment_changes_the_idea_and_says_what_changed(intake) -> None:
    idea = await stored_idea(intake)
    amendment, errors = validate_amendment(
        {"contact": idea["contact"], "description": "Uusi kuvaus hankkeesta."},
        current_contact=idea["contact"], current_description=idea["description"],
    )
    assert amendment is not None, errors
    assert await intake.status.amend(idea, amendment)
    events = await events_of(intake)
    assert types(events) == ["koonto.intake.idea-amended.v1"] and events[0].data["changed_fields"] == ["description"]
    after = await intake.views.idea(idea["_id"])
    assert after["description"] == "Uusi kuvaus hankkeesta." and len(after["amendments"]) == 1


async def test_an_amendment_without_changes_writes_nothing(intake) -> None:
    idea = await stored_idea(intake)
    amendment, _ = validate_amendment(
        {"contact": idea["contact"], "description": idea["description"]},
        current_contact=idea["contact"], current_description=idea["description"],
    )
    assert amendment is not None and not await intake.status.amend(idea, amendment)
    assert await events_of(intake) == []


async def test_erasure_removes_this_contact_at_once_and_the_handler_the_other_copies(intake, clock) -> None:
    idea = await stored_idea(intake)
    other = await stored_idea(intake, title="Toinen idea")
    event = scheduled(clock)
    await deliver(intake, event)
    await intake.registrations.register(sign_up(event.scheduled_event_id, idea["contact"]["email"]))
    await events_of(intake)

    assert await intake.status.request_erasure(idea)
    assert not await intake.status.request_erasure(await intake.views.idea(idea["_id"]))  # only once
    (request,) = await events_of(intake)
    assert request.type == "koonto.intake.erasure-requested.v1"
    assert set(request.data["idea_ids"]) == {idea["_id"], other["_id"]}
    assert "contact" not in await intake.views.idea(idea["_id"])

    await deliver(intake, ErasureRequested.read(request.data))
    assert "contact" not in await intake.views.idea(other["_id"])
    registration = await intake.store.registrations.find_one({})
    assert registration["participant"] == {"name": "[poistettu]"} and registration["erased_at"] is not None


async def test_the_partner_consent_is_carried_by_idea_submitted_and_can_be_withdrawn_by_an_amendment(intake) -> None:
    submission = await intake.ideas.submit(draft(intake, consents__partner_introductions=True))
    (submitted,) = [e for e in await events_of(intake) if e.type == "koonto.intake.idea-submitted.v1"]
    assert submitted.data["consents"]["partner_introductions"] is True
    idea = await intake.views.idea(submission.idea_id)
    amendment, errors = validate_amendment(
        {"contact": idea["contact"], "description": idea["description"], "partner_introductions": False},
        current_contact=idea["contact"], current_description=idea["description"], current_partner_consent=True,
    )
    assert amendment is not None, errors
    assert amendment.changed_fields == ("consents.partner_introductions",)
    assert await intake.status.amend(idea, amendment)
    (amended,) = await events_of(intake)
    assert amended.data["partner_introductions"] is False and amended.data["contact"] is None
    assert (await intake.views.idea(idea["_id"]))["consents"]["partner_introductions"] is False


async def test_an_amendment_that_does_not_mention_the_partner_consent_leaves_it_as_it_was(intake) -> None:
    idea = await stored_idea(intake, consents__partner_introductions=True)
    amendment, _ = validate_amendment(
        {"contact": idea["contact"], "description": "Uusi kuvaus."},
        current_contact=idea["contact"], current_description=idea["description"], current_partner_consent=True,
    )
    assert amendment is not None and amendment.partner_introductions is None
    assert amendment.changed_fields == ("description",)
