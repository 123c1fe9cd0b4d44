"""Double opt-in (use_cases/subscriptions.py): request, resend, confirm, cancel, and the events each causes."""

from __future__ import annotations

from tests.intake.unit.conftest import events_of, types

REQUESTED = "koonto.intake.subscription-requested.v1"


async def ask(intake, email: str = "maija@example.fi") -> bool:
    return await intake.subscriptions.request(
        email=email, topic="newsletter", language="fi", municipality="kuopio", source="subscription-form"
    )


async def test_a_request_asks_for_a_confirmation_once_then_again_only_after_the_resend_time(intake, clock) -> None:
    assert await ask(intake)
    assert not await ask(intake)  # at once again: no second mail
    clock.advance(minutes=intake.settings.subscription_resend_minutes + 1)
    assert await ask(intake)
    events = await events_of(intake)
    assert types(events) == [REQUESTED, REQUESTED]
    assert events[0].data["subscription_id"] == events[1].data["subscription_id"]  # the same pending subscription
    stored = await intake.store.subscriptions.find_one({})
    assert stored["status"] == "pending" and stored["requests"] == 2


async def test_confirm_then_cancel_each_once(intake) -> None:
    await ask(intake)
    subscription_id = (await events_of(intake))[0].data["subscription_id"]
    assert await intake.subscriptions.confirm(subscription_id) == "confirmed"
    assert await intake.subscriptions.confirm(subscription_id) == "already"
    assert await intake.subscriptions.cancel(subscription_id) == "cancelled"
    assert await intake.subscriptions.cancel(subscription_id) == "already"
    assert await intake.subscriptions.confirm(subscription_id) == "gone"
    events = await events_of(intake)
    assert types(events) == ["koonto.intake.subscription-confirmed.v1", "koonto.intake.subscription-cancelled.v1"]
    assert events[0].data["unsubscribe_url"].startswith("http://intake.test/subscriptions/unsubscribe/")


async def test_unknown_subscriptions_are_gone_and_a_pending_one_is_not_cancelled(intake) -> None:
    assert await intake.subscriptions.confirm("nobody") == "gone"
    assert await intake.subscriptions.cancel("nobody") == "gone"
    await ask(intake)
    subscription_id = (await events_of(intake))[0].data["subscription_id"]
    assert await intake.subscriptions.cancel(subscription_id) == "already"
    assert await events_of(intake) == []


async def test_the_form_asks_for_each_topic_ticked(intake) -> None:
    await intake.subscriptions.request_topics(
        email="pekka@example.fi", topics=("newsletter", "call_announcements"), language="sv", municipality=None
    )
    events = await events_of(intake)
    assert types(events) == [REQUESTED, REQUESTED]
    assert {e.data["topic"] for e in events} == {"newsletter", "call_announcements"}
