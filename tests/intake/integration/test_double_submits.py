"""Double submits that land on two intake replicas at the same moment: one idea, one subscription.

Two runtimes on one database are two replicas (see `test_seats.py`): each has its own store adapter and its own
per-document locks, so only the store keeps them apart. What decides is a unique-key insert (the idea's
`fingerprint_key` and `idempotency_key` unique indexes, the subscription's `_id` = its address and topic), which
is atomic on every supported store, FerretDB v1 included."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from koonto.shared.contracts.intake import IdeaSubmitted, SubscriptionRequested
from tests.intake.helpers import events_of, idea_body
from tests.support.polling import eventually, stays


async def _two_replicas(stack: AsyncExitStack, start_intake) -> list:
    return [await stack.enter_async_context(start_intake()) for _ in range(2)]


async def test_the_same_idea_sent_at_once_to_two_replicas_is_kept_once_under_one_reference(
    start_intake, clean_stream
) -> None:
    async with AsyncExitStack() as stack:
        (runtime, a), (_, b) = await _two_replicas(stack, start_intake)
        answers = await asyncio.gather(*(http.post("/api/v1/ideas", json=idea_body(title="Tuplaklikkaus"))
                                         for http in (a, b, a, b, a, b)))
        keyed = {"Idempotency-Key": "b6c9a0a2-5f0e-4c55-9c9e-4d1c3f1f0002"}
        retried = await asyncio.gather(*(http.post("/api/v1/ideas", json=idea_body(title="Uusi yritys"), headers=keyed)
                                         for http in (b, a, b, a)))

        assert [r.status_code for r in answers + retried] == [201] * 10
        assert len({r.json()["reference"] for r in answers}) == 1
        assert len({r.json()["reference"] for r in retried}) == 1
        assert await runtime.db["ideas"].count_documents({}) == 2
        events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) >= 2)
        await stays(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 2, duration=1.0)
        assert sorted(d.title for _, d in events) == ["Tuplaklikkaus", "Uusi yritys"]
        assert {d.reference for _, d in events} == {answers[0].json()["reference"], retried[0].json()["reference"]}


async def test_the_same_subscription_asked_at_once_on_two_replicas_is_one_subscription_and_one_mail(
    start_intake, clean_stream
) -> None:
    body = {"email": "liisa@example.fi", "topics": ["call_announcements", "events"], "language": "fi",
            "consents": {"privacy_notice": True}}
    async with AsyncExitStack() as stack:
        (runtime, a), (_, b) = await _two_replicas(stack, start_intake)
        answers = await asyncio.gather(*(http.post("/api/v1/subscriptions", json=body) for http in (a, b) * 4))

        assert [r.status_code for r in answers] == [202] * 8
        stored = [d async for d in runtime.db["subscriptions"].find({}, {"topic": 1, "subscription_id": 1})]
        assert sorted(d["topic"] for d in stored) == ["call_announcements", "events"]
        requested = await eventually(lambda: events_of(clean_stream, SubscriptionRequested),
                                     until=lambda e: len(e) >= 2)
        await stays(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 2,
                    duration=1.0)
        # one confirmation request per topic, for the subscription that was kept
        assert {(d.topic, d.subscription_id) for _, d in requested} == {(d["topic"], d["subscription_id"])
                                                                        for d in stored}
