"""Reference numbers from per-replica blocks (domain/reference.py, use_cases/references.py): unique across replicas,
sized to the pace, nothing lost to a duplicate, a stopping replica's numbers handed back and used first, and the
year boundary. Two `References` on one in-memory store are two replicas; the real stores: tests/intake/integration/
test_references.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from koonto.intake.domain.reference import PACE_WINDOW_SECONDS, NumberBlock
from koonto.intake.store import COUNTERS, ReferenceCounters
from koonto.intake.use_cases.references import References
from koonto.shared.mongo import Store
from tests.intake.unit.conftest import draft
from tests.support.memory import memory_store

KEY = "reference:KOO:2026"


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def replicas(n: int, *, max_block: int = 20) -> tuple[Store, Ticks, list[References]]:
    store, ticks = memory_store(), Ticks()
    return store, ticks, [References(ReferenceCounters(store[COUNTERS]), max_block, ticks) for _ in range(n)]


async def counter(store: Store) -> int:
    doc = await store[COUNTERS].find_one({"_id": KEY})
    return int(doc["seq"]) if doc else 0


def test_a_block_follows_the_pace_and_hands_out_what_was_given_back_first() -> None:
    block = NumberBlock(max_size=20)
    assert block.next_size(0.0) == 1  # idle: one number at a time, the plain sequence
    block.add(1, 3)
    assert [block.take(float(t)) for t in range(4)] == [1, 2, 3, None]
    assert block.next_size(3.0) == 3
    assert block.next_size(3.0 + PACE_WINDOW_SECONDS + 1) == 1  # the rush is over
    block.add(7, 9)
    taken = block.take(20.0)
    block.give_back(taken or 0)
    assert block.take(20.0) == 7
    block.add(10, 12)
    block.give_back(7)
    assert block.release() == [(7, 12)] and block.take(21.0) is None


async def test_a_lone_idea_now_and_then_takes_the_next_number_with_one_counter_update() -> None:
    store, ticks, (one,) = replicas(1)
    for expected in (1, 2, 3):
        assert await one.take(KEY) == expected
        assert await counter(store) == expected  # nothing reserved ahead: no number can be left behind
        ticks.now += PACE_WINDOW_SECONDS * 2


async def test_a_rush_reserves_blocks_and_concurrent_takes_on_two_replicas_stay_unique() -> None:
    store, _, (a, b) = replicas(2)
    numbers = await asyncio.gather(*((a if n % 2 else b).take(KEY) for n in range(200)))
    assert len(set(numbers)) == 200
    assert await counter(store) < 200 + 2 * 20  # blocks, at most one block's rest per replica ahead


async def test_stopped_replicas_hand_their_numbers_back_and_the_next_takes_fill_the_holes_first() -> None:
    store, _, (a, b, c) = replicas(3)
    taken = list(await asyncio.gather(*((a if n % 2 else b).take(KEY) for n in range(30))))
    await a.hand_back_all()
    await b.hand_back_all()
    held = await counter(store)
    taken += [await c.take(KEY) for _ in range(held - len(taken))]
    assert sorted(taken) == list(range(1, held + 1))  # every number up to the counter used once: no hole
    assert await store[COUNTERS].count_documents({"returned_of": KEY}) == 0


async def test_a_number_taken_for_a_duplicate_is_the_next_one_handed_out() -> None:
    _, _, (one,) = replicas(1)
    first = await one.take(KEY)
    one.give_back(KEY, first)
    assert await one.take(KEY) == first


async def test_at_the_year_boundary_the_new_year_starts_at_one_and_the_old_years_rest_goes_back(
    make_intake, clock
) -> None:
    intake = make_intake()
    clock.now = datetime(2026, 12, 31, 21, 58, tzinfo=UTC)  # 23.58 in Helsinki
    old = [await intake.ideas.submit(draft(intake, title=f"Vuoden lopussa {n}")) for n in range(3)]
    clock.now = datetime(2026, 12, 31, 22, 1, tzinfo=UTC)  # 00.01 on 1.1.2027 in Helsinki
    new = await intake.ideas.submit(draft(intake, title="Uuden vuoden eka"))
    assert [s.reference for s in old] == ["KOO-2026-0001", "KOO-2026-0002", "KOO-2026-0003"]
    assert new.reference == "KOO-2027-0001"
    year_2026 = await intake.store.references.counters.find_one({"_id": KEY})
    assert year_2026 is not None and year_2026["seq"] == 3  # the 2026 block's rest went back to its counter
