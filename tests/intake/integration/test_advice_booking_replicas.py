"""One advice time, two intake replicas (two runtimes, each with its own store adapter and so its own per-document
locks, on one database and one NATS), on every supported store: twelve people at once give one booking; after the
booking is cancelled the time is booked again, once; a claim left by a crash between the claim and the slot's mark
keeps the time taken until its lease is over, then the next booker gets it. The claim is a unique-key insert
(`slot_claims._id = "<slot>:<n>"`), which every store enforces; the slot's own compare-and-set let two of ten win on
FerretDB v1 with two replicas."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from koonto.intake.store import SLOT_CLAIM_LEASE
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked
from tests.intake.helpers import events_of, hidden, post_form, publish
from tests.intake.integration.conftest import PUBLIC
from tests.intake.integration.test_advice_bookings import booking, listed, slot
from tests.support.polling import eventually, stays


async def race(pairs: list[Any], slot_id: str, prefix: str, people: int = 12) -> list[Any]:
    posts = [pairs[n % 2][1].post("/api/v1/advice/bookings", json=booking(slot_id, f"{prefix}{n}@example.fi"))
             for n in range(people)]
    return list(await asyncio.gather(*posts))


async def settled(db: Any, slot_id: str) -> None:
    await eventually(lambda: db["advice_slots"].find_one({"_id": slot_id}),
                     until=lambda doc: doc.get("outbox_pending") is not True, what="the slot's outbox settled")


def one_winner(answers: list[Any]) -> dict[str, Any]:
    assert Counter(a.status_code for a in answers) == {201: 1, 409: len(answers) - 1}
    [winner] = [a.json() for a in answers if a.status_code == 201]
    return winner  # type: ignore[no-any-return]


async def test_twelve_people_on_two_replicas_book_one_time_once_and_again_once_after_a_cancellation(
    start_intake_on_each_store, clean_stream
) -> None:
    wanted, other = slot(days=3), slot(days=5)
    async with AsyncExitStack() as stack:
        pairs = [await stack.enter_async_context(start_intake_on_each_store()) for _ in range(2)]
        await publish(clean_stream, wanted)
        await publish(clean_stream, other)
        for _, http in pairs:
            await listed(http, 2)

        winner = one_winner(await race(pairs, wanted.slot_id, "r"))
        for _, http in pairs:  # both replicas offer only the other time now
            assert [s["slot_id"] for s in await listed(http, 1)] == [other.slot_id]
        [(_, booked)] = await eventually(lambda: events_of(clean_stream, AdviceSessionBooked),
                                         until=lambda e: len(e) == 1)
        assert booked.booking_id == winner["booking_id"]
        doc = await pairs[0][0].db["advice_slots"].find_one({"_id": wanted.slot_id})
        assert (doc["status"], doc["booking_id"], doc["claim_n"]) == ("booked", winner["booking_id"], 1)

        # the relay has settled the booking's event first: a relay's settle next to a write from another replica may
        # lose that write on FerretDB v1 (docs/working-on-koonto.md, the races table, shared `outbox.py:settle`)
        await settled(pairs[0][0].db, wanted.slot_id)
        http = pairs[1][1]  # the winner cancels through the link on the other replica; the time is free again
        manage = booked.manage_url.removeprefix(PUBLIC)
        own = await http.get(manage)
        gone = await post_form(http, f"{manage}/cancel", {"csrf_token": hidden(own.text, "csrf_token")})
        assert gone.status_code == 303
        await eventually(lambda: events_of(clean_stream, AdviceBookingCancelled), until=lambda e: len(e) == 1)
        await settled(pairs[0][0].db, wanted.slot_id)  # as above, for the cancellation's event
        for _, each in pairs:
            await listed(each, 2)

        again = one_winner(await race(pairs, wanted.slot_id, "s"))
        assert again["booking_id"] != winner["booking_id"]
        events = await eventually(lambda: events_of(clean_stream, AdviceSessionBooked), until=lambda e: len(e) == 2)
        assert [d.booking_id for _, d in events] == [winner["booking_id"], again["booking_id"]]
        doc = await pairs[0][0].db["advice_slots"].find_one({"_id": wanted.slot_id})
        assert (doc["status"], doc["booking_id"], doc["claim_n"]) == ("booked", again["booking_id"], 2)
        await stays(lambda: events_of(clean_stream, AdviceSessionBooked), until=lambda e: len(e) == 2, duration=0.5)


async def test_a_claim_left_by_a_crash_before_the_slot_was_marked_is_passed_over_after_its_lease(
    start_intake_on_each_store, clean_stream
) -> None:
    wanted = slot(days=3)
    async with AsyncExitStack() as stack:
        pairs = [await stack.enter_async_context(start_intake_on_each_store()) for _ in range(2)]
        await publish(clean_stream, wanted)
        for _, http in pairs:
            await listed(http, 1)
        db = pairs[0][0].db
        # what a replica that died between its two writes leaves: claim 1 inserted, the slot still free at 0
        crashed = {"_id": f"{wanted.slot_id}:1", "slot": wanted.slot_id, "n": 1, "who": "someone",
                   "booking_id": "0190aaaa-0000-7000-8000-000000000000", "claimed_at": datetime.now(UTC)}
        await db["slot_claims"].insert_one(crashed)

        refused = await race(pairs, wanted.slot_id, "early", people=4)  # within the lease: the claim may still land
        assert {a.status_code for a in refused} == {409}
        assert (await db["advice_slots"].find_one({"_id": wanted.slot_id}))["status"] == "free"

        older = datetime.now(UTC) - SLOT_CLAIM_LEASE - timedelta(seconds=1)  # the lease has run out
        await db["slot_claims"].update_one({"_id": crashed["_id"]}, {"$set": {"claimed_at": older}})
        winner = one_winner(await race(pairs, wanted.slot_id, "late", people=6))
        doc = await db["advice_slots"].find_one({"_id": wanted.slot_id})
        assert (doc["status"], doc["booking_id"], doc["claim_n"]) == ("booked", winner["booking_id"], 2)
        [(_, booked)] = await eventually(lambda: events_of(clean_stream, AdviceSessionBooked),
                                         until=lambda e: len(e) == 1)
        assert booked.booking_id == winner["booking_id"]
