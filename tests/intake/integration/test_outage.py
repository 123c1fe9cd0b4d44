"""With NATS down, submissions still answer 201; every event arrives after NATS is back, none twice."""

from __future__ import annotations

from pathlib import Path

from koonto.intake.main import create_runtime
from koonto.shared.contracts.intake import IdeaSubmitted, SubscriptionRequested
from tests.intake.helpers import events_of, idea_body
from tests.intake.integration.conftest import intake_settings
from tests.support.polling import eventually, stays
from tests.support.servers import nats_server
from tests.support.services import client, running


async def test_submissions_survive_nats_being_down(mongo_url: str, db_names: dict[str, str], tmp_path: Path) -> None:
    server = nats_server(tmp_path)
    server.start()
    url = f"nats://127.0.0.1:{server.port}"
    runtime = create_runtime(intake_settings(url, mongo_url, db_names["intake"]))
    try:
        async with running(runtime), client(runtime) as http:
            server.stop()
            references = []
            for n in range(3):
                response = await http.post("/api/v1/ideas", json=idea_body(
                    title=f"Idea katkon aikana {n}", consents={"privacy_notice": True, "newsletter": n == 0}))
                assert response.status_code == 201
                references.append(response.json()["reference"])
            assert await runtime.relay.pending() >= 3  # kept in the outboxes, nothing lost

            server.start()
            events = await eventually(lambda: events_of(url, IdeaSubmitted), until=lambda e: len(e) == 3,
                                      timeout=40, what="every idea-submitted after NATS is back")
            assert sorted(d.reference for _, d in events) == sorted(references)
            await eventually(lambda: events_of(url, SubscriptionRequested), until=lambda e: len(e) == 1)
            await eventually(runtime.relay.pending, until=lambda n: n == 0, what="outboxes empty")
            await stays(lambda: events_of(url, IdeaSubmitted), until=lambda e: len(e) == 3, duration=1.5)
            assert len({e.id for e, _ in events}) == 3
    finally:
        server.stop()
