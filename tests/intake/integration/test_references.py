"""Idea references from per-replica blocks, against the real stores (the default one and nx-27017 beside it) and
real NATS: replicas submitting at once never share a number, a stopped replica's unused numbers are used by the
next one so the year's numbers have no hole, a double submit still gets the original's answer, and every idea's
`idea-submitted` is published exactly once. Two runtimes on one database are two replicas (`test_seats.py`)."""

from __future__ import annotations

import asyncio

from koonto.shared.contracts.intake import IdeaSubmitted
from tests.intake.helpers import events_of, idea_body
from tests.support.polling import eventually, stays


def number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


async def test_two_replicas_at_once_give_unique_references_and_stopping_leaves_no_hole(
    start_intake_on_each_store, clean_stream
) -> None:
    start = start_intake_on_each_store
    answers = []
    async with start() as (_, a), start() as (_, b):
        for wave, size in enumerate((7, 16, 3, 11)):  # bursts of different sizes: blocks of different sizes
            answers += await asyncio.gather(*(
                (a if n % 3 else b).post("/api/v1/ideas", json=idea_body(title=f"Aalto {wave} idea {n}"))
                for n in range(size)
            ))
    assert [r.status_code for r in answers] == [201] * 37
    references = [r.json()["reference"] for r in answers]
    assert len(set(references)) == 37
    counter_key = "reference:{}:{}".format(*references[0].split("-")[:2])

    async with start() as (runtime, c):  # both stopped: what they held was handed back
        counter = await runtime.db["counters"].find_one({"_id": counter_key})
        assert counter is not None
        for n in range(int(counter["seq"]) - 37 + 2):  # the holes, if any, and two more
            late = await c.post("/api/v1/ideas", json=idea_body(title=f"Myöhemmin {n}"))
            references.append(late.json()["reference"])
        numbers = sorted(number(r) for r in references)
        assert numbers == list(range(1, len(numbers) + 1))  # no number twice, none skipped
        assert await runtime.db["ideas"].count_documents({}) == len(numbers)

        events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted),
                                  until=lambda e: len(e) >= len(numbers))
        await stays(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == len(numbers),
                    duration=1.0)
        assert sorted(d.reference for _, d in events) == sorted(references)  # each idea's event once


async def test_a_double_submit_on_two_replicas_gets_the_first_answer_and_its_event_once(
    start_intake_on_each_store, clean_stream
) -> None:
    start = start_intake_on_each_store
    async with start() as (runtime, a), start() as (_, b):
        first = await a.post("/api/v1/ideas", json=idea_body(title="Kaksi kertaa"))
        again = await asyncio.gather(*(http.post("/api/v1/ideas", json=idea_body(title="Kaksi kertaa"))
                                       for http in (b, a, b)))
        assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
        assert {(r.status_code, r.json()["reference"], r.json()["status_url"]) for r in again} == {
            (201, first.json()["reference"], first.json()["status_url"])
        }
        assert all(r.headers["Location"] == first.headers["Location"] for r in again)

        other = await b.post("/api/v1/ideas", json=idea_body(title="Eri idea"))
        assert other.json()["reference"] != first.json()["reference"]
        assert await runtime.db["ideas"].count_documents({}) == 2
        events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) >= 2)
        await stays(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: len(e) == 2, duration=1.0)
        assert sorted(d.title for _, d in events) == ["Eri idea", "Kaksi kertaa"]
