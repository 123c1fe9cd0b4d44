"""Submitting ideas (use_cases/ideas.py): references, duplicates, Idempotency-Key, consents → subscriptions."""

from __future__ import annotations

import pytest

from koonto.intake.domain.errors import IdempotencyConflict
from koonto.intake.domain.reference import REFERENCE_PATTERN
from tests.intake.unit.conftest import draft, events_of, types


async def test_a_new_idea_is_stored_with_the_next_reference_and_its_event_published(intake) -> None:
    first = await intake.ideas.submit(draft(intake, title="Kylätalon katto"))
    second = await intake.ideas.submit(draft(intake, title="Nuorisotila"))
    assert not first.replayed and REFERENCE_PATTERN.match(first.reference)
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1
    stored = await intake.views.idea(first.idea_id)
    assert stored is not None and stored["stage"] == "idea" and stored["title"] == "Kylätalon katto"
    events = await events_of(intake)
    assert types(events) == ["koonto.intake.idea-submitted.v1"] * 2
    assert events[0].data["reference"] == first.reference and events[0].subject == first.idea_id
    assert events[0].data["status_url"] == first.status_url


async def test_the_same_idea_again_within_the_window_is_the_same_reference_and_no_new_event(intake, clock) -> None:
    first = await intake.ideas.submit(draft(intake))
    await events_of(intake)
    clock.advance(hours=2)
    again = await intake.ideas.submit(draft(intake))
    assert again.replayed and again.reference == first.reference
    assert await events_of(intake) == []
    assert await intake.store.ideas.count_documents({}) == 1


async def test_the_same_idea_after_the_window_is_a_new_idea(intake, clock) -> None:
    first = await intake.ideas.submit(draft(intake))
    clock.advance(hours=intake.settings.duplicate_window_hours + 1)
    later = await intake.ideas.submit(draft(intake))
    assert not later.replayed and later.reference != first.reference
    assert await intake.store.ideas.count_documents({}) == 2


async def test_an_idempotency_key_replays_its_idea_and_refuses_another(intake) -> None:
    first = await intake.ideas.submit(draft(intake), idempotency_key="k-1")
    again = await intake.ideas.submit(draft(intake), idempotency_key="k-1")
    assert again.replayed and again.idea_id == first.idea_id
    with pytest.raises(IdempotencyConflict):
        await intake.ideas.submit(draft(intake, title="Aivan toinen idea"), idempotency_key="k-1")


async def test_ticked_consents_ask_for_the_subscriptions_in_the_same_correlation(intake) -> None:
    body = {"consents": {"privacy_notice": True, "call_announcements": True, "newsletter": True, "publication": False}}
    submission = await intake.ideas.submit(draft(intake, **body), correlation_id="corr-1")
    events = await events_of(intake)
    assert sorted(types(events)) == sorted([
        "koonto.intake.idea-submitted.v1", "koonto.intake.subscription-requested.v1",
        "koonto.intake.subscription-requested.v1",
    ])
    assert {e.correlationid for e in events} == {"corr-1"}
    topics = {e.data["topic"] for e in events if e.type.endswith("subscription-requested.v1")}
    assert topics == {"call_announcements", "newsletter"} and not submission.replayed


async def test_a_retry_after_a_failure_past_the_insert_still_asks_for_the_subscriptions(intake, monkeypatch) -> None:
    """The idea was stored but the subscriptions were never asked (the store failed between the two writes): the
    person's retry is answered as the same idea, and asks for them; a third attempt asks nothing more."""
    body = {"consents": {"privacy_notice": True, "newsletter": True}}
    asking = intake.ideas._ask_consented_subscriptions

    async def store_timeout(*args: object, **kwargs: object) -> None:
        raise TimeoutError("the store did not answer")

    monkeypatch.setattr(intake.ideas, "_ask_consented_subscriptions", store_timeout)
    with pytest.raises(TimeoutError):
        await intake.ideas.submit(draft(intake, **body))
    assert types(await events_of(intake)) == ["koonto.intake.idea-submitted.v1"]
    monkeypatch.setattr(intake.ideas, "_ask_consented_subscriptions", asking)
    again = await intake.ideas.submit(draft(intake, **body))
    assert again.replayed and types(await events_of(intake)) == ["koonto.intake.subscription-requested.v1"]
    assert (await intake.ideas.submit(draft(intake, **body))).replayed and await events_of(intake) == []
