"""Decisions two writers race for on ONE intake replica: the store adapter (`koonto.shared.mongo.Collection`)
serialises writes that name one document by `_id`, so the guarded update decides and each transition emits its
event once. Across replicas this holds on MongoDB and nx-27017 only (docs/working-on-koonto.md, "Decisions
concurrent writers race for")."""

from __future__ import annotations

import asyncio
from collections import Counter

from koonto.shared.contracts.intake import SubscriptionCancelled, SubscriptionConfirmed, SubscriptionRequested
from tests.intake.helpers import events_of, hidden, post_form
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually, stays

ONE_CLICK = {"content": b"List-Unsubscribe=One-Click", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


async def test_a_subscription_resent_confirmed_and_cancelled_twice_at_once_moves_once_each(
    start_intake, clean_stream
) -> None:
    async with start_intake(subscription_resend_minutes=0) as (runtime, http):
        ask = {"email": "kaksi@example.fi", "topics": ["newsletter"], "consents": {"privacy_notice": True}}
        assert (await http.post("/api/v1/subscriptions", json=ask)).status_code == 202
        await eventually(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 1)

        asked = await asyncio.gather(*[http.post("/api/v1/subscriptions", json=ask) for _ in range(4)])
        assert [r.status_code for r in asked] == [202] * 4
        renewals = (await runtime.db["subscriptions"].find_one({}))["requests"]
        assert renewals >= 2
        # every renewal that won sent its mail, and only those did (a lost `$inc` would show one mail more)
        requested = await eventually(lambda: events_of(clean_stream, SubscriptionRequested),
                                     until=lambda e: len(e) >= renewals)
        await stays(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == renewals,
                    duration=0.5)
        confirm_path = requested[-1][1].confirm_url.removeprefix(PUBLIC)

        page = await http.get(confirm_path)
        token = hidden(page.text, "csrf_token")
        confirms = await asyncio.gather(*[post_form(http, confirm_path, {"csrf_token": token}) for _ in range(4)])
        assert [r.status_code for r in confirms] == [200] * 4
        assert Counter("Olit jo vahvistanut" in r.text for r in confirms) == {True: 3, False: 1}
        confirmed = await eventually(lambda: events_of(clean_stream, SubscriptionConfirmed), until=lambda e: e)

        unsubscribe_path = confirmed[0][1].unsubscribe_url.removeprefix(PUBLIC)
        cancels = await asyncio.gather(*[http.post(unsubscribe_path, **ONE_CLICK) for _ in range(4)])
        assert [r.status_code for r in cancels] == [200] * 4
        assert Counter("Tilaus oli jo peruttu" in r.text for r in cancels) == {True: 3, False: 1}
        await eventually(lambda: events_of(clean_stream, SubscriptionCancelled), until=lambda e: e)
        await stays(lambda: events_of(clean_stream, SubscriptionCancelled), until=lambda e: len(e) == 1, duration=0.5)
        assert len(await events_of(clean_stream, SubscriptionConfirmed)) == 1
        assert (await runtime.db["subscriptions"].find_one({}))["status"] == "cancelled"
