"""koonto.shared.staff_directory: the newest staff-updated wins whatever the delivery order, and what a token of
each generation is admitted as (on the in-memory store; the services' integration test runs it on real servers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from koonto.shared.bus import EventContext
from koonto.shared.contracts.advisory import StaffUpdated
from koonto.shared.staff_directory import COLLECTION, StaffDirectory
from tests.support.memory import memory_store
from tests.support.samples import envelope

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def update(generation: int, *, active: bool = True, roles: tuple[str, ...] = ("coordinator",),
           minutes: int = 0) -> StaffUpdated:
    return StaffUpdated(
        staff_id="staff-1", email="k@koonto.example", display_name="K", roles=roles, active=active,  # type: ignore[arg-type]
        updated_at=T0 + timedelta(minutes=minutes), token_generation=generation,
    )


async def apply(directory: StaffDirectory, *events: StaffUpdated) -> None:
    for event in events:
        context = EventContext(envelope=envelope(event, subject=event.staff_id), attempt=1, region="pohjois-savo",
                               service="test")
        await directory.on_staff_updated(event, context, None)


def new_directory() -> StaffDirectory:
    return StaffDirectory(memory_store()[COLLECTION], cache_seconds=0)


async def test_an_unknown_account_is_admitted_as_its_token_says() -> None:
    assert await new_directory().admit("staff-1", 0, ("coordinator",)) == (("coordinator",), {})


async def test_deactivation_and_older_generations_are_refused_in_any_delivery_order() -> None:
    directory = new_directory()
    deactivated = update(1, active=False, minutes=5)
    await apply(directory, deactivated, update(0, minutes=0), deactivated)  # the older one arrives late, twice
    assert await directory.admit("staff-1", 0, ("coordinator",)) is None  # older generation
    assert await directory.admit("staff-1", 1, ("coordinator",)) is None  # inactive at its generation
    # signed after a reactivation the directory has not heard of yet: as the token says
    assert await directory.admit("staff-1", 2, ("coordinator",)) == (("coordinator",), {})


async def test_the_directory_roles_win_at_the_same_generation() -> None:
    directory = new_directory()
    await apply(directory, update(0, roles=("funder",), minutes=1), update(0, roles=("coordinator",), minutes=0))
    assert await directory.admit("staff-1", 0, ("coordinator", "admin")) == (("funder",), {})
