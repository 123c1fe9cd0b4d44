"""An accepted idea reaches NATS within moments of its 201, without waiting for the outbox poll."""

from __future__ import annotations

from koonto.shared.contracts.intake import IdeaSubmitted
from tests.intake.helpers import events_of, idea_body
from tests.support.polling import eventually


async def test_each_idea_is_on_nats_moments_after_its_201_although_the_poll_is_a_minute(
    start_intake, clean_stream
) -> None:
    async with start_intake(outbox_poll_seconds=60) as (_, http):
        references = []
        for n in range(3):  # after the first, the relay's start-up scans are long done: only the fast path is left
            response = await http.post("/api/v1/ideas", json=idea_body(title=f"Nopea idea {n}"))
            assert response.status_code == 201
            references.append(response.json()["reference"])
            events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted),
                                      until=lambda e, k=n + 1: len(e) == k, timeout=3, interval=0.02,
                                      what=f"idea {n} on NATS")
            assert [d.reference for _, d in events] == references
