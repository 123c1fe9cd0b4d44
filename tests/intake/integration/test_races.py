"""Decisions two writers race for on ONE intake replica: the store adapter (`koonto.shared.mongo.Collection`)
serialises writes that name one document by `_id`, so the guarded update decides and each transition emits its
event once. Across replicas this holds on MongoDB and nx-27017 only (docs/working-on-koonto.md, "Decisions
concurrent writers race for")."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from koonto.intake.domain.amendments import Amendment
from koonto.shared.clock import utcnow
from koonto.shared.contracts.intake import (
    ErasureRequested,
    IdeaAmended,
    SubscriptionCancelled,
    SubscriptionConfirmed,
    SubscriptionRequested,
)
from tests.intake.helpers import events_of, hidden, idea_body, post_form
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


async def test_amendments_and_erasures_at_once_keep_every_amendment_and_never_bring_the_contact_back(
    intake, clean_stream
) -> None:
    runtime, http = intake
    actions = runtime.container.status
    for email in ("eka@example.fi", "toka@example.fi"):
        body = idea_body(contact__email=email, title=f"Kohtaamispaikka {email}")
        assert (await http.post("/api/v1/ideas", json=body)).status_code == 201
    kept, erased = [await runtime.db["ideas"].find_one({"contact.email": e}) for e in ("eka@example.fi",
                                                                                         "toka@example.fi")]

    def amendment(n: int) -> Amendment:
        return Amendment(contact=None, description=f"Kuvaus {n}: kylätalo kaikenikäisille.",
                         changed_fields=("description",))

    assert await asyncio.gather(*[actions.amend(kept, amendment(n)) for n in range(5)]) == [True] * 5
    # (nx-27017 keeps a `$push`ed sub-document as JSON text, so only the count is compared here)
    assert len((await runtime.db["ideas"].find_one({"_id": kept["_id"]}))["amendments"]) == 5
    await eventually(lambda: events_of(clean_stream, IdeaAmended), until=lambda e: len(e) == 5)

    amended, *erasures = await asyncio.gather(actions.amend(erased, amendment(9)),
                                              *[actions.request_erasure(erased) for _ in range(3)])
    assert erasures.count(True) == 1  # one erasure request, one erasure-requested event
    after = await runtime.db["ideas"].find_one({"_id": erased["_id"]})
    assert after["erased_at"] and "contact" not in after and "amendments" not in after
    requested = await eventually(lambda: events_of(clean_stream, ErasureRequested), until=lambda e: e)
    assert [d.request_id for _, d in requested] == [after["erasure_request_id"]]
    await stays(lambda: events_of(clean_stream, IdeaAmended), until=lambda e: len(e) == 5 + amended, duration=0.5)


async def test_stage_changes_of_one_idea_at_once_leave_the_newest(intake) -> None:
    runtime, http = intake
    assert (await http.post("/api/v1/ideas", json=idea_body())).status_code == 201
    idea = await runtime.db["ideas"].find_one({})
    start = utcnow()
    stages = ["sparring", "preparing", "applied", "funded", "withdrawn", "sparring", "preparing", "applied"]
    changes = [(stage, start + timedelta(seconds=n)) for n, stage in enumerate(stages)]
    newest = changes[-1]
    changes.reverse()  # the newest first: every older one that comes after must change nothing
    await asyncio.gather(*[runtime.container.store.record_stage(idea["_id"], stage, at, f"e{n}")
                           for n, (stage, at) in enumerate(changes)])
    after = await runtime.db["ideas"].find_one({"_id": idea["_id"]})
    assert (after["stage"], after["stage_event_id"]) == (newest[0], "e0")
