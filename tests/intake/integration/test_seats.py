"""Seats and waiting-list places when many people sign up at the same moment, on two intake replicas, on the
default store (FerretDB v1 in CI) and on nx-27017 for the two capacity cases.

Two runtimes on one database are two replicas: each has its own store adapter (its own per-document locks), so
only what the store itself enforces keeps them apart, the production case behind a load balancer."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack

from koonto.shared.contracts.intake import RegistrationPromoted, RegistrationReceived
from tests.intake.helpers import events_of, publish
from tests.intake.integration.test_registrations import scheduled, sign_up
from tests.support.polling import eventually


async def _two_replicas(stack: AsyncExitStack, start_intake) -> list:
    return [(await stack.enter_async_context(start_intake()))[1] for _ in range(2)]


async def _sign_up_at_once(clients: list, event_id: str, people: int) -> list[dict]:
    posts = [clients[n % len(clients)].post("/api/v1/registrations", json=sign_up(event_id, f"p{n}@example.fi"))
             for n in range(people)]
    responses = await asyncio.gather(*posts)
    assert [r.status_code for r in responses] == [201] * people
    return [r.json() for r in responses]


async def test_eight_at_once_for_three_seats_give_three_seats_and_five_places_in_line(
    start_intake_on_each_store, clean_stream
) -> None:
    event = scheduled(capacity=3)
    async with AsyncExitStack() as stack:
        clients = await _two_replicas(stack, start_intake_on_each_store)
        await publish(clean_stream, event)
        await eventually(lambda: clients[0].get("/api/v1/events"), until=lambda r: len(r.json()) == 1)

        answers = await _sign_up_at_once(clients, event.scheduled_event_id, 8)

        assert Counter(a["status"] for a in answers) == {"confirmed": 3, "waitlisted": 5}
        assert sorted(a["position_on_waitlist"] for a in answers if a["status"] == "waitlisted") == [1, 2, 3, 4, 5]
        assert all(a["position_on_waitlist"] is None for a in answers if a["status"] == "confirmed")
        assert len({a["registration_id"] for a in answers}) == 8
        for http in clients:  # both replicas show the same count, derived from the registrations
            listed = (await http.get("/api/v1/events")).json()
            assert listed[0]["seats_left"] == 0
        events = await eventually(lambda: events_of(clean_stream, RegistrationReceived), until=lambda e: len(e) == 8)
        told = {d.registration_id: (d.status, d.position_on_waitlist) for _, d in events}
        assert told == {a["registration_id"]: (a["status"], a["position_on_waitlist"]) for a in answers}


async def test_twenty_at_once_for_one_seat_give_exactly_one_seat(start_intake_on_each_store, clean_stream) -> None:
    event = scheduled(capacity=1)
    async with AsyncExitStack() as stack:
        clients = await _two_replicas(stack, start_intake_on_each_store)
        await publish(clean_stream, event)
        await eventually(lambda: clients[0].get("/api/v1/events"), until=lambda r: len(r.json()) == 1)

        answers = await _sign_up_at_once(clients, event.scheduled_event_id, 20)

        assert Counter(a["status"] for a in answers) == {"confirmed": 1, "waitlisted": 19}
        assert sorted(a["position_on_waitlist"] for a in answers if a["status"] == "waitlisted") == list(range(1, 20))


async def test_a_replica_whose_count_is_stale_takes_the_next_free_place(start_intake, clean_stream) -> None:
    """Each replica keeps the last count it knew; one that has not seen the other's sign-ups tries a taken seat,
    finds it taken and goes on: the answer is what one replica alone would give."""
    event = scheduled(capacity=2)
    async with AsyncExitStack() as stack:
        first, second = await _two_replicas(stack, start_intake)
        await publish(clean_stream, event)
        await eventually(lambda: first.get("/api/v1/events"), until=lambda r: len(r.json()) == 1)
        answers = []
        for n, http in enumerate([first, second, first, second, first]):
            body = sign_up(event.scheduled_event_id, f"s{n}@example.fi")
            response = await http.post("/api/v1/registrations", json=body)
            assert response.status_code == 201
            answers.append((response.json()["status"], response.json()["position_on_waitlist"]))
        assert answers == [("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2),
                           ("waitlisted", 3)]
        again = await second.post("/api/v1/registrations", json=sign_up(event.scheduled_event_id, "s2@example.fi"))
        assert again.status_code == 200 and again.json()["position_on_waitlist"] == 1


async def test_a_capacity_raised_by_staff_gives_the_new_seats_to_the_waiting_first(intake, clean_stream) -> None:
    _runtime, http = intake
    event = scheduled(capacity=1)
    await publish(clean_stream, event)
    await eventually(lambda: http.get("/api/v1/events"), until=lambda r: len(r.json()) == 1)
    first = [(await http.post("/api/v1/registrations", json=sign_up(event.scheduled_event_id, f"c{n}@example.fi")))
             .json() for n in range(2)]
    assert first[1]["status"] == "waitlisted"

    await publish(clean_stream, event.model_copy(update={"capacity": 3}))  # event-scheduled again, more seats
    await eventually(lambda: http.get("/api/v1/events"), until=lambda r: r.json()[0]["seats_left"] == 1)
    promoted = await eventually(lambda: events_of(clean_stream, RegistrationPromoted), until=lambda e: len(e) == 1)
    assert promoted[0][1].registration_id == first[1]["registration_id"]

    later = [(await http.post("/api/v1/registrations", json=sign_up(event.scheduled_event_id, f"d{n}@example.fi")))
             .json() for n in range(3)]
    assert [(a["status"], a["position_on_waitlist"]) for a in later] == [
        ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
