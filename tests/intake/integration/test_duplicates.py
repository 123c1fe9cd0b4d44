"""The same idea sent again: the same reference within the duplicate window, a new one after it; and ideas whose
look-up pointers are missing (`idea_keys`, written beside each idea until the insert itself decided duplicates)
behave the same."""

from __future__ import annotations

from tests.intake.helpers import idea_body
from tests.support.polling import eventually


def number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


async def test_after_the_duplicate_window_the_same_idea_is_a_new_one(start_intake) -> None:
    async with start_intake(duplicate_window_hours=0.0005) as (runtime, http):  # 1.8 s
        first = (await http.post("/api/v1/ideas", json=idea_body())).json()["reference"]
        assert (await http.post("/api/v1/ideas", json=idea_body())).json()["reference"] == first
        later = await eventually(lambda: http.post("/api/v1/ideas", json=idea_body()),
                                 until=lambda r: r.json()["reference"] != first, interval=0.3,
                                 what="a new reference once the window has passed")
        assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
        assert number(later.json()["reference"]) == number(first) + 1
        assert await runtime.db["ideas"].count_documents({}) == 2


async def test_an_idea_without_look_up_pointers_is_still_found_and_released_after_the_window(start_intake) -> None:
    async with start_intake(duplicate_window_hours=0.0005) as (runtime, http):
        key = {"Idempotency-Key": "c0ffee00-0000-4000-8000-000000000001"}
        first = (await http.post("/api/v1/ideas", json=idea_body(), headers=key)).json()["reference"]
        await runtime.db["idea_keys"].delete_many({})  # as if stored before the pointers existed
        again = await http.post("/api/v1/ideas", json=idea_body())
        assert again.json()["reference"] == first and again.headers.get("Idempotent-Replayed") == "true"
        await runtime.db["idea_keys"].delete_many({})
        retried = await http.post("/api/v1/ideas", json=idea_body(), headers=key)
        assert retried.json()["reference"] == first and retried.headers.get("Idempotent-Replayed") == "true"
        conflict = await http.post("/api/v1/ideas", json=idea_body(title="Toinen"), headers=key)
        assert conflict.status_code == 409
        assert await runtime.db["ideas"].count_documents({}) == 1

        # once the window has passed, the old idea gives its fingerprint up and the new one is stored
        await runtime.db["idea_keys"].delete_many({})
        later = await eventually(lambda: http.post("/api/v1/ideas", json=idea_body()),
                                 until=lambda r: r.json()["reference"] != first, interval=0.3,
                                 what="a new reference once the window has passed")
        # (without pointers each replay above took a number first: a gap, only for ideas stored without them)
        assert number(later.json()["reference"]) > number(first)
        assert await runtime.db["ideas"].count_documents({}) == 2


async def test_ideas_sent_at_once_to_two_replicas_get_unique_references_from_their_blocks(
    clean_stream, mongo_url, db_names
) -> None:
    import asyncio

    from koonto.intake.main import create_runtime
    from tests.intake.integration.conftest import intake_settings
    from tests.support.services import client, running

    settings = intake_settings(clean_stream, mongo_url, db_names["intake"])
    first, second = create_runtime(settings), create_runtime(settings)
    async with running(first), running(second), client(first) as a, client(second) as b:
        answers = await asyncio.gather(*(
            (a if n % 2 else b).post("/api/v1/ideas", json=idea_body(title=f"Samaan aikaan {n}")) for n in range(24)
        ))
        assert [r.status_code for r in answers] == [201] * 24
        numbers = sorted(number(r.json()["reference"]) for r in answers)
        assert len(set(numbers)) == 24
        # while they run, each replica may hold the rest of its block (handed back at a stop: test_references.py)
        assert numbers[-1] <= 24 + 2 * settings.reference_block_size
        assert await first.db["ideas"].count_documents({}) == 24
